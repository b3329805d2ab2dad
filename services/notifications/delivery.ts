import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { webhookSecretBytes, type NotificationsConfig } from '../../lib/config';
import type { Component } from '../../lib/lifecycle';
import type { Logger } from '../../lib/logger';
import { isPermanent, redactWebhookUrl, type DeliveryChannel, type Target } from './channels';
import type { NotificationDetails } from './templates';

// Delivery outside the consumers' transactions. A consumer records a webhook or email notification as a
// PENDING row in the same transaction as the event's processed_events row (idempotent, as before); this
// worker claims due rows with FOR UPDATE SKIP LOCKED, so instances share the queue, tries each within its
// channel's timeout, and records DELIVERED / SENT, or a retry time with the error, or FAILED after the
// last try. Kafka partitions never wait for an endpoint; a dead endpoint costs one slot per try.

const S = 'notifications';

/** Channels the worker delivers through (the log is written in the consumer's transaction). */
export type QueuedChannel = 'webhook' | 'email';

/** How long a claimed row stays the claimant's: past it, a crashed worker's try is taken up again. */
export const LEASE_SECONDS = 120;

interface QueuedRow {
  id: string;
  event_id: string;
  user_id: string;
  order_id: string | null;
  kind: string;
  channel: QueuedChannel;
  body: string;
  attempts: number;
  details: NotificationDetails;
}

/** The wait before try `attempts + 1`: base doubled per failed try, capped, with ±20 % jitter so retries of one outage spread out. */
export function backoffMs(attempts: number, { backoffMs: base, backoffMaxMs: max }: Pick<NotificationsConfig['delivery'], 'backoffMs' | 'backoffMaxMs'>, random = Math.random): number {
  const plain = Math.min(max, base * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}

/** What a delivered message is called: a webhook's 2xx is delivered; an SMTP server's acceptance only sent. */
const DONE: Record<QueuedChannel, 'DELIVERED' | 'SENT'> = { webhook: 'DELIVERED', email: 'SENT' };

/** Drains the notifications queue: claims due deliveries, tries them, records each outcome. */
export function deliveryWorker({
  db,
  channels,
  settings,
  logger,
}: {
  db: Knex;
  channels: Partial<Record<QueuedChannel, DeliveryChannel>>;
  settings: NotificationsConfig['delivery'];
  logger: Logger;
}): Component {
  async function claim(limit: number): Promise<QueuedRow[]> {
    const result = await db.raw(
      `update ??.notifications n
          set attempts = n.attempts + 1, next_attempt_at = now() + make_interval(secs => ?)
        where n.id in (select id from ??.notifications
                        where status = 'PENDING' and next_attempt_at <= now() and channel = any(?)
                        order by next_attempt_at limit ? for update skip locked)
        returning n.id, n.event_id, n.user_id, n.order_id, n.kind, n.channel, n.body, n.attempts, n.details`,
      [S, LEASE_SECONDS, S, Object.keys(channels), limit],
    );
    return result.rows as QueuedRow[];
  }

  async function targetOf(userId: string): Promise<Target> {
    const [contact, channel] = await Promise.all([
      db.withSchema(S).table('contacts').where({ user_id: userId }).first('email', 'name') as Promise<{ email: string; name: string | null } | undefined>,
      db.withSchema(S).table('user_channels').where({ user_id: userId }).first('webhook_url', 'webhook_secret') as Promise<{ webhook_url: string | null; webhook_secret: string | null } | undefined>,
    ]);
    const secret = channel?.webhook_secret ? webhookSecretBytes(channel.webhook_secret) : undefined;
    if (channel?.webhook_secret && !secret) throw new Error('the endpoint\'s webhook secret is not whsec_<base64>');
    return { email: contact?.email, name: contact?.name, webhookUrl: channel?.webhook_url, webhookSecret: secret };
  }

  async function attempt(row: QueuedRow): Promise<void> {
    const log = logger.child({ notificationId: row.id, eventId: row.event_id, orderId: row.order_id, channel: row.channel, kind: row.kind, attempt: row.attempts });
    let target: Target | undefined;
    try {
      target = await targetOf(row.user_id);
      await channels[row.channel]!.deliver(
        { id: row.id, userId: row.user_id, orderId: row.order_id, kind: row.kind, body: row.body, eventId: row.event_id, details: row.details },
        target,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const endpoint = row.channel === 'webhook' && target?.webhookUrl ? redactWebhookUrl(target.webhookUrl) : undefined;
      if (isPermanent(error) || row.attempts >= settings.maxAttempts) {
        await db.withSchema(S).table('notifications').where({ id: row.id }).update({ status: 'FAILED', error: message.slice(0, 1000), next_attempt_at: null });
        log.error({ endpoint, error: message, permanent: isPermanent(error) }, 'notification delivery failed for good');
        return;
      }
      const wait = backoffMs(row.attempts, settings);
      await db.withSchema(S).table('notifications').where({ id: row.id }).update({ error: message.slice(0, 1000), next_attempt_at: db.raw('now() + make_interval(secs => ?)', [wait / 1000]) });
      log.warn({ endpoint, error: message, retryInMs: wait }, 'notification delivery failed; will retry');
      return;
    }
    await db.withSchema(S).table('notifications').where({ id: row.id }).update({ status: DONE[row.channel], delivered_at: db.fn.now(), error: null, next_attempt_at: null });
    log.debug('notification delivered');
  }

  return queueDrainer({
    name: 'notification-delivery',
    claim,
    attempt,
    concurrency: settings.concurrency,
    pollMs: settings.pollMs,
    logger,
    describe: (row) => ({ notificationId: row.id }),
    started: () => logger.info({ channels: Object.keys(channels), concurrency: settings.concurrency }, 'notification delivery running'),
    close: async () => {
      await Promise.all(Object.values(channels).map((c) => c.close()));
    },
  });
}

/**
 * The loop of a delivery queue in Postgres: claims up to the free slots' worth of due rows (the claim takes
 * a lease on them), tries each without waiting for the others, and naps when nothing is due; a finished try
 * wakes it. Stopping waits a bounded time for the tries in flight; what they leave comes back after the lease.
 */
export function queueDrainer<Row>({
  name,
  claim,
  attempt,
  concurrency,
  pollMs,
  logger,
  describe,
  started,
  close,
}: {
  name: string;
  claim: (limit: number) => Promise<Row[]>;
  attempt: (row: Row) => Promise<void>;
  concurrency: number;
  pollMs: number;
  logger: Logger;
  /** The row's ids for a log line. */
  describe: (row: Row) => Record<string, unknown>;
  started?: () => void;
  close?: () => Promise<void>;
}): Component {
  let stopping = false;
  let loop: Promise<void> | undefined;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function run(): Promise<void> {
    while (!stopping) {
      const free = concurrency - inFlight;
      if (free <= 0) {
        await nap(pollMs); // a finished try wakes it sooner
        continue;
      }
      let rows: Row[];
      try {
        rows = await claim(free);
      } catch (error) {
        // Postgres away: wait and look again; the rows stay PENDING.
        logger.warn({ err: error }, `${name}: could not read the queue; retrying`);
        await sleep(Math.max(pollMs, 1000));
        continue;
      }
      if (rows.length === 0) {
        await nap(pollMs);
        continue;
      }
      for (const row of rows) {
        inFlight++;
        attempt(row)
          .catch((error: unknown) => logger.error({ err: error, ...describe(row) }, `${name}: could not record a delivery outcome; the lease will bring it back`))
          .finally(() => {
            inFlight--;
            wake?.();
          });
      }
    }
  }

  return {
    name,
    async start() {
      loop = run();
      started?.();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      // Tries in flight finish within their channel's timeout; what they leave is picked up after the lease.
      const deadline = Date.now() + 10_000;
      while (inFlight > 0 && Date.now() < deadline) await sleep(50);
      await close?.();
    },
  };
}
