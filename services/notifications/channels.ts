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

/** One signed POST: the webhook-id (the same on every try), the JSON body, and the secret that signs it. */
export interface SignedPost {
  url: string;
  id: string;
  body: string;
  secret: Buffer;
  /** When it is signed (webhook-timestamp); now by default. */
  at?: Date;
  /** Read up to this many bytes of the answer's body (a verification's echo); 0 or absent: none. */
  readBodyBytes?: number;
}

/** What the endpoint answered: its status, and the start of its body when asked for. */
export interface SignedPostAnswer {
  status: number;
  body?: string;
}

/** Sends signed webhooks under the URL policy; the notification channel and the subscriptions share it. */
export interface WebhookSender {
  /** Throws a WebhookPolicyError (refused URL or address), a PermanentDeliveryError (a redirect) or an Error without the URL (unreachable, timeout); any HTTP answer is returned. */
  post(post: SignedPost): Promise<SignedPostAnswer>;
  close(): Promise<void>;
}

async function readSome(response: Awaited<ReturnType<typeof fetch>>, limit: number): Promise<string> {
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const bytes = Buffer.from(chunk as Uint8Array);
    chunks.push(bytes);
    size += bytes.length;
    if (size >= limit) break; // leaving the loop cancels the rest of the stream
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * POSTs JSON signed per Standard Webhooks through connection pools whose every address passes the URL
 * policy; redirects are an error, not followed.
 */
export function webhookSender({ policy, timeoutMs }: { policy: WebhookPolicy; timeoutMs: number }): WebhookSender {
  const agents = webhookAgents(policy, { timeoutMs });
  return {
    async post({ url: raw, id, body, secret, at = new Date(), readBodyBytes = 0 }) {
      const url = checkWebhookUrl(raw, policy);
      const headers = { 'content-type': 'application/json', 'user-agent': 'petstore-webhooks', ...signWebhook(secret, id, Math.floor(at.getTime() / 1000), body) };
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
      if (readBodyBytes > 0) {
        const text = await readSome(response, readBodyBytes).catch(() => '');
        return { status: response.status, body: text };
      }
      await response.body?.cancel().catch(() => undefined); // the answer's body is not needed; free the connection
      return { status: response.status };
    },
    async close() {
      await Promise.all([agents.https.close(), agents.http.close()]);
    },
  };
}

/** POSTs the notification as JSON to the user's webhook, signed with the endpoint's secret or the configured one. */
export function webhookChannel({ policy, secret, timeoutMs }: { policy: WebhookPolicy; secret: Buffer; timeoutMs: number }): DeliveryChannel {
  const sender = webhookSender({ policy, timeoutMs });
  return {
    async deliver(delivery, target) {
      if (!target.webhookUrl) throw new PermanentDeliveryError('the user has no webhook URL');
      const { id, userId, orderId, kind, body: text, eventId, details } = delivery;
      const now = new Date();
      const body = JSON.stringify({ type: `notification.${kind}`, timestamp: now.toISOString(), data: { id, userId, orderId, kind, body: text, eventId, details } });
      const { status } = await sender.post({ url: target.webhookUrl, id, body, secret: target.webhookSecret ?? secret, at: now });
      if (status < 200 || status > 299) throw new Error(`the webhook endpoint answered ${status}`);
    },
    close: () => sender.close(),
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
      const message = renderEmail(delivery.kind, { ...delivery.details, orderId, name: target.name, body: delivery.body, orderUrl: orderPageUrl.replace('{orderId}', encodeURIComponent(orderId)) });
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
