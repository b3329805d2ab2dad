import nodemailer from 'nodemailer';
import { fetch } from 'undici';
import type { Logger } from '../../lib/logger';
import { signWebhook } from './signing';
import { renderEmail, hasEmail, type NotificationDetails } from './templates';
import { checkWebhookUrl, webhookAgents, WebhookPolicyError, type WebhookPolicy } from './webhook-policy';

/** One notification to deliver: its row id (the webhook-id and Message-ID, the same on every retry) and what it says. */
export interface Delivery {
  id: string;
  userId: string;
  orderId: string | null;
  kind: string;
  body: string;
  eventId: string;
  details: NotificationDetails;
}

/** Where one user is reached, read when the delivery is tried. */
export interface Target {
  webhookUrl?: string | null;
  /** The endpoint's own Standard Webhooks secret (whsec_...); absent: the configured one. */
  webhookSecret?: Buffer | null;
  email?: string | null;
  name?: string | null;
}

/** A way to reach a user outside the consumer's transaction. Throwing means "not delivered": retried, unless the error is permanent. */
export interface DeliveryChannel {
  deliver(delivery: Delivery, target: Target): Promise<void>;
  /** Releases connections (pools, SMTP sessions). */
  close(): Promise<void>;
}

/** A failure no retry can mend (no address, a refused URL, a redirect, a 5xx SMTP answer): the delivery is FAILED at once. */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}

/** Whether a delivery error is permanent. */
export const isPermanent = (error: unknown): boolean => error instanceof PermanentDeliveryError || error instanceof WebhookPolicyError;

/** Writes the notification to the service log (the channel every user has; written in the consumer's transaction). */
export const logNotification = (logger: Logger, delivery: Omit<Delivery, 'id' | 'details'>): void => {
  logger.info({ userId: delivery.userId, orderId: delivery.orderId, kind: delivery.kind, eventId: delivery.eventId }, `notify: ${delivery.body}`);
};

/** A webhook URL as logs show it: scheme, host and port; the path and query (often a token) left out. */
export function redactWebhookUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === '/' && !url.search ? '/' : '/…'}`;
  } catch {
    return '(not a URL)';
  }
}

interface ErrorLike {
  name?: string;
  code?: string;
  message?: string;
  cause?: unknown;
}

/** Says why a fetch failed without the URL: the innermost cause's code, a timeout, a redirect, or a policy refusal. */
function describeFetchFailure(error: unknown, timeoutMs: number): Error {
  const chain: ErrorLike[] = [];
  for (let e = error as ErrorLike | undefined; e && typeof e === 'object' && chain.length < 8; e = e.cause as ErrorLike | undefined) chain.push(e);
  const policy = chain.find((e) => e instanceof WebhookPolicyError);
  if (policy) return policy as WebhookPolicyError;
  if (chain.some((e) => /redirect/i.test(String(e.message ?? e)))) return new PermanentDeliveryError('the webhook endpoint answered with a redirect (redirects are not followed)');
  if (chain.some((e) => e.name === 'TimeoutError' || e.name === 'AbortError' || /timeout/i.test(String(e.code ?? '')))) {
    return new Error(`the webhook endpoint did not answer within ${timeoutMs} ms`);
  }
  const code = chain.map((e) => e.code).find((c) => typeof c === 'string');
  return new Error(code ? `could not reach the webhook endpoint (${code})` : 'could not reach the webhook endpoint');
}

/**
 * POSTs the notification as JSON to the user's webhook, signed per Standard Webhooks, through
 * connection pools whose every address passes the URL policy; redirects are an error.
 */
export function webhookChannel({ policy, secret, timeoutMs }: { policy: WebhookPolicy; secret: Buffer; timeoutMs: number }): DeliveryChannel {
  const agents = webhookAgents(policy, { timeoutMs });
  return {
    async deliver(delivery, target) {
      if (!target.webhookUrl) throw new PermanentDeliveryError('the user has no webhook URL');
      const url = checkWebhookUrl(target.webhookUrl, policy);
      const { id, userId, orderId, kind, body: text, eventId, details } = delivery;
      const now = new Date();
      const body = JSON.stringify({ type: `notification.${kind}`, timestamp: now.toISOString(), data: { id, userId, orderId, kind, body: text, eventId, details } });
      const headers = { 'content-type': 'application/json', 'user-agent': 'petstore-webhooks', ...signWebhook(target.webhookSecret ?? secret, id, Math.floor(now.getTime() / 1000), body) };
      let response: Awaited<ReturnType<typeof fetch>>;
      try {
        response = await fetch(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          dispatcher: url.protocol === 'http:' ? agents.http : agents.https,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        throw describeFetchFailure(error, timeoutMs);
      }
      await response.body?.cancel().catch(() => undefined); // the answer's body is not needed; free the connection
      if (!response.ok) throw new Error(`the webhook endpoint answered ${response.status}`);
    },
    async close() {
      await Promise.all([agents.https.close(), agents.http.close()]);
    },
  };
}

/** Sends the notification's email (text and HTML from its template) over SMTP. */
export function emailChannel({ smtpUrl, from, orderPageUrl }: { smtpUrl: string; from: string; orderPageUrl: string }): DeliveryChannel {
  // A small pool: one SMTP session serves many messages; the timeouts bound a server that stops answering.
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: 2, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
  return {
    async deliver(delivery, target) {
      if (!target.email) throw new PermanentDeliveryError('the customer has no email address');
      if (!hasEmail(delivery.kind)) throw new PermanentDeliveryError(`no email template for ${delivery.kind}`);
      const orderId = delivery.orderId ?? '';
      const message = renderEmail(delivery.kind, { ...delivery.details, orderId, name: target.name, orderUrl: orderPageUrl.replace('{orderId}', encodeURIComponent(orderId)) });
      try {
        await transport.sendMail({
          from,
          to: target.name ? { name: target.name, address: target.email } : target.email,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: `<${delivery.id}@petstore>`,
          headers: { 'X-Petstore-Notification': delivery.id, 'X-Petstore-Kind': delivery.kind },
        });
      } catch (error) {
        const { responseCode, message: text, code } = error as { responseCode?: number; message?: string; code?: string };
        // 5xx: the server refuses this message for good (no such mailbox, rejected); 4xx and network errors may pass later.
        const reason = `SMTP: ${responseCode ?? code ?? ''} ${text ?? String(error)}`.trim();
        throw responseCode !== undefined && responseCode >= 500 ? new PermanentDeliveryError(reason) : new Error(reason);
      }
    },
    async close() {
      transport.close();
    },
  };
}
