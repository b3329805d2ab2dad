import type { Knex } from 'knex';
import { webhookSecretBytes, type NotificationsConfig } from '../../lib/config';
import type { Component } from '../../lib/lifecycle';
import type { Logger } from '../../lib/logger';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import { isPermanent, redactWebhookUrl, type WebhookSender } from './channels';
import { LEASE_SECONDS, backoffMs, queueDrainer } from './delivery';
import type { SubscriptionRow } from './subscriptions';
import { VERIFICATION_TYPE, webhookBody } from './webhook-events';

// Delivery to webhook subscriptions, the same way as the notifications queue (delivery.ts): rows queued in
// the consumers' transactions, claimed with FOR UPDATE SKIP LOCKED, tried with no transaction open, and
// each outcome recorded after: a try row for the log, the delivery's status or next try, and the
// subscription's run of failures, which disables it (and tells its owner) at WEBHOOK_MAX_CONSECUTIVE_FAILURES.

const S = 'notifications';

/** The notification kind that tells an owner their subscription was disabled. */
export const WEBHOOK_DISABLED_KIND = 'webhook-disabled';

/** Bytes of a verification answer read for the echo. */
const ECHO_BYTES = 4096;

interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  message_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Whether a verification answer echoes the challenge: `{"challenge": "..."}` or the challenge alone as text. */
export function echoesChallenge(body: string | undefined, challenge: string): boolean {
  const text = (body ?? '').trim();
  if (text === challenge) return true;
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && (parsed as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

/** What one try came to. */
interface Outcome {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  permanent: boolean;
}

/** Drains the webhook subscriptions' delivery queue. */
export function subscriptionDeliveryWorker({
  db,
  sender,
  settings,
  maxConsecutiveFailures,
  logger,
}: {
  db: Knex;
  sender: WebhookSender;
  settings: NotificationsConfig['delivery'];
  maxConsecutiveFailures: number;
  logger: Logger;
}): Component {
  async function claim(limit: number): Promise<ClaimedDelivery[]> {
    const result = await db.raw(
      `update ??.webhook_deliveries d
          set attempts = d.attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
        where d.id in (select id from ??.webhook_deliveries
                        where status = 'PENDING' and next_attempt_at <= now()
                        order by next_attempt_at limit ? for update skip locked)
        returning d.id, d.subscription_id, d.message_id, d.event_type, d.payload, d.attempts`,
      [S, LEASE_SECONDS, S, limit],
    );
    return result.rows as ClaimedDelivery[];
  }

  async function send(row: ClaimedDelivery, subscription: SubscriptionRow): Promise<Outcome> {
    const secret = webhookSecretBytes(subscription.secret);
    if (!secret) return { ok: false, statusCode: null, error: 'the subscription\'s secret is not whsec_<base64>', permanent: true };
    const verification = row.event_type === VERIFICATION_TYPE;
    const now = new Date();
    const data = verification ? { subscriptionId: subscription.id, challenge: row.payload.challenge } : row.payload;
    try {
      const answer = await sender.post({ url: subscription.url, id: row.message_id, body: webhookBody(row.event_type, now, data), secret, at: now, readBodyBytes: verification ? ECHO_BYTES : 0 });
      if (answer.status < 200 || answer.status > 299) return { ok: false, statusCode: answer.status, error: `the webhook endpoint answered ${answer.status}`, permanent: false };
      if (verification && !echoesChallenge(answer.body, String(row.payload.challenge))) {
        return { ok: false, statusCode: answer.status, error: 'the endpoint did not echo the challenge (answer {"challenge":"<data.challenge>"} or the challenge as text)', permanent: false };
      }
      return { ok: true, statusCode: answer.status, error: null, permanent: false };
    } catch (error) {
      return { ok: false, statusCode: null, error: error instanceof Error ? error.message : String(error), permanent: isPermanent(error) };
    }
  }

  /** Disables the subscription and queues its owner's notification, in the caller's transaction. */
  async function disable(trx: Knex.Transaction, subscription: SubscriptionRow, failures: number, lastError: string | null): Promise<void> {
    const reason = `${failures} failed deliveries in a row (last: ${lastError ?? 'unknown'})`;
    const disabled = await trx
      .withSchema(S)
      .table('webhook_subscriptions')
      .where({ id: subscription.id, status: 'ACTIVE' })
      .update({ status: 'DISABLED', disabled_reason: reason.slice(0, 1000), disabled_at: trx.fn.now(), updated_at: trx.fn.now() });
    if (disabled === 0) return; // another try disabled it first: one notification
    await trx
      .withSchema(S)
      .table('webhook_deliveries')
      .where({ subscription_id: subscription.id, status: 'PENDING' })
      .update({ status: 'FAILED', next_attempt_at: null, last_error: 'the subscription was disabled' });
    const body =
      `Your webhook subscription ${subscription.id} (${redactWebhookUrl(subscription.url)}) was disabled after ${reason}. ` +
      `Fix the endpoint, then ask for a new verification (POST /me/webhooks/${subscription.id}/verify, or petstore webhooks verify ${subscription.id}) to enable it again.`;
    const event = newEvent('NotificationRequested', { source: 'notifications', orderId: subscription.owner_id, data: { userId: subscription.owner_id, kind: WEBHOOK_DISABLED_KIND, body: body.slice(0, 2000) } });
    await writeEvents(trx, S, [event]);
  }

  async function record(row: ClaimedDelivery, subscription: SubscriptionRow, outcome: Outcome, startedAt: Date, durationMs: number, log: Logger): Promise<void> {
    const verification = row.event_type === VERIFICATION_TYPE;
    const endpoint = redactWebhookUrl(subscription.url);
    await db.transaction(async (trx) => {
      await trx.withSchema(S).table('webhook_delivery_attempts').insert({
        delivery_id: row.id,
        attempt: row.attempts,
        started_at: startedAt,
        duration_ms: durationMs,
        status_code: outcome.statusCode,
        error: outcome.error?.slice(0, 1000) ?? null,
      });
      const deliveries = trx.withSchema(S).table('webhook_deliveries').where({ id: row.id });
      if (outcome.ok) {
        await deliveries.update({ status: 'DELIVERED', delivered_at: trx.fn.now(), next_attempt_at: null, last_status_code: outcome.statusCode, last_error: null });
        const subscriptions = trx.withSchema(S).table('webhook_subscriptions').where({ id: subscription.id });
        if (verification) {
          await subscriptions.where({ status: 'PENDING_VERIFICATION' }).update({ status: 'ACTIVE', verified_at: trx.fn.now(), consecutive_failures: 0, updated_at: trx.fn.now() });
        } else if (subscription.consecutive_failures > 0) {
          await subscriptions.update({ consecutive_failures: 0, updated_at: trx.fn.now() });
        }
        return;
      }
      const final = outcome.permanent || row.attempts >= settings.maxAttempts;
      const error = outcome.error?.slice(0, 1000) ?? null;
      if (final) {
        await deliveries.update({ status: 'FAILED', next_attempt_at: null, last_status_code: outcome.statusCode, last_error: error });
      } else {
        const wait = backoffMs(row.attempts, settings);
        await deliveries.update({ last_status_code: outcome.statusCode, last_error: error, next_attempt_at: trx.raw('now() + make_interval(secs => ?)', [wait / 1000]) });
      }
      // A failed handshake leaves the subscription waiting for verification; failed deliveries add up to a disable.
      if (verification) return;
      const [counted] = (await trx
        .withSchema(S)
        .table('webhook_subscriptions')
        .where({ id: subscription.id, status: 'ACTIVE' })
        .increment('consecutive_failures', 1)
        .returning('consecutive_failures')) as { consecutive_failures: number }[];
      if (counted && counted.consecutive_failures >= maxConsecutiveFailures) {
        await disable(trx, subscription, counted.consecutive_failures, error);
        log.warn({ endpoint, failures: counted.consecutive_failures }, 'webhook subscription disabled after consecutive failures; owner notified');
      }
    });
    if (!outcome.ok) log.warn({ endpoint, statusCode: outcome.statusCode, error: outcome.error }, 'webhook subscription delivery failed');
  }

  async function attempt(row: ClaimedDelivery): Promise<void> {
    const log = logger.child({ deliveryId: row.id, subscriptionId: row.subscription_id, eventType: row.event_type, attempt: row.attempts });
    const subscription = (await db.withSchema(S).table('webhook_subscriptions').where({ id: row.subscription_id }).first()) as SubscriptionRow | undefined;
    if (!subscription) return; // deleted meanwhile: its deliveries went with it
    if (row.event_type !== VERIFICATION_TYPE && subscription.status !== 'ACTIVE') {
      // Nothing is sent to an endpoint that is not verified or was disabled; a replay can send it later.
      await db.withSchema(S).table('webhook_deliveries').where({ id: row.id }).update({ status: 'FAILED', next_attempt_at: null, last_error: `the subscription is ${subscription.status}` });
      return;
    }
    const startedAt = new Date();
    const outcome = await send(row, subscription);
    await record(row, subscription, outcome, startedAt, Date.now() - startedAt.getTime(), log);
  }

  return queueDrainer({
    name: 'webhook-subscription-delivery',
    claim,
    attempt,
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    logger,
    describe: (row) => ({ deliveryId: row.id, subscriptionId: row.subscription_id }),
    close: () => sender.close(),
  });
}
