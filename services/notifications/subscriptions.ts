import { randomBytes, randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Page, WebhookAttemptView, WebhookDeliveryView, WebhooksPort, WebhookSubscriptionView } from '../../api/ports';
import { ConflictError, NotFoundError, UnprocessableError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { pageQuery, toPage } from '../paging';
import { newWebhookSecret } from './signing';
import { VERIFICATION_TYPE, isWebhookEventType } from './webhook-events';
import { checkWebhookUrl, type WebhookPolicy } from './webhook-policy';

// Webhook subscriptions behind /me/webhooks. Each is its owner's alone: every statement names the owner,
// so another owner's id finds nothing (a 404, as if it did not exist).

const S = 'notifications';

/** Subscriptions one owner may have at once. */
export const MAX_SUBSCRIPTIONS_PER_OWNER = 20;

/** A subscription row as stored. */
export interface SubscriptionRow {
  id: string;
  owner_id: string;
  scope: 'own-orders' | 'all-orders';
  url: string;
  secret: string;
  event_types: string[];
  description: string | null;
  status: 'PENDING_VERIFICATION' | 'ACTIVE' | 'DISABLED';
  consecutive_failures: number;
  disabled_reason: string | null;
  verified_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRow {
  id: string;
  subscription_id: string;
  message_id: string;
  event_type: string;
  event_id: string | null;
  order_id: string | null;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  replay_of: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

interface AttemptRow {
  delivery_id: string;
  attempt: number;
  started_at: Date;
  duration_ms: number;
  status_code: number | null;
  error: string | null;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

const toView = (row: SubscriptionRow): WebhookSubscriptionView => ({
  id: row.id,
  url: row.url,
  scope: row.scope,
  eventTypes: row.event_types,
  description: row.description,
  status: row.status,
  consecutiveFailures: row.consecutive_failures,
  disabledReason: row.disabled_reason,
  verifiedAt: iso(row.verified_at),
  disabledAt: iso(row.disabled_at),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const toAttempt = (row: AttemptRow): WebhookAttemptView => ({
  attempt: row.attempt,
  startedAt: row.started_at.toISOString(),
  durationMs: row.duration_ms,
  statusCode: row.status_code,
  error: row.error,
});

const toDelivery = (row: DeliveryRow, tries: WebhookAttemptView[]): WebhookDeliveryView => ({
  id: row.id,
  subscriptionId: row.subscription_id,
  messageId: row.message_id,
  eventType: row.event_type,
  eventId: row.event_id,
  orderId: row.order_id,
  status: row.status,
  attempts: row.attempts,
  nextAttemptAt: iso(row.next_attempt_at),
  lastStatusCode: row.last_status_code,
  lastError: row.last_error,
  replayOf: row.replay_of,
  createdAt: row.created_at.toISOString(),
  deliveredAt: iso(row.delivered_at),
  tries,
});

const DELIVERY_COLUMNS = ['id', 'subscription_id', 'message_id', 'event_type', 'event_id', 'order_id', 'status', 'attempts', 'next_attempt_at', 'last_status_code', 'last_error', 'replay_of', 'delivered_at', 'created_at'];

/** Queues a fresh verification request (a new challenge) for a subscription, in the caller's transaction. */
export async function queueVerification(trx: Knex | Knex.Transaction, subscriptionId: string): Promise<void> {
  const id = randomUUID();
  await trx.withSchema(S).table('webhook_deliveries').insert({
    id,
    subscription_id: subscriptionId,
    message_id: id,
    event_type: VERIFICATION_TYPE,
    payload: JSON.stringify({ challenge: randomBytes(24).toString('base64url') }),
    status: 'PENDING',
    next_attempt_at: trx.fn.now(),
  });
}

/** Notification's webhook subscriptions: create, list, look up, delete, verify again, the delivery log, replay. */
export function createWebhooksRepository(db: Knex, { policy }: { policy: WebhookPolicy }): WebhooksPort {
  async function owned(ownerId: string, id: string): Promise<SubscriptionRow | undefined> {
    if (!isUuid(id)) return undefined;
    return (await db.withSchema(S).table('webhook_subscriptions').where({ id, owner_id: ownerId }).first()) as SubscriptionRow | undefined;
  }
  async function mustOwn(ownerId: string, id: string): Promise<SubscriptionRow> {
    const row = await owned(ownerId, id);
    if (!row) throw new NotFoundError(`webhook subscription ${id} not found`);
    return row;
  }
  async function withTries(rows: DeliveryRow[]): Promise<Map<string, WebhookAttemptView[]>> {
    const tries = new Map<string, WebhookAttemptView[]>();
    if (rows.length === 0) return tries;
    const attempts = (await db
      .withSchema(S)
      .table('webhook_delivery_attempts')
      .whereIn('delivery_id', rows.map((r) => r.id))
      .orderBy([{ column: 'delivery_id' }, { column: 'attempt' }])
      .select('delivery_id', 'attempt', 'started_at', 'duration_ms', 'status_code', 'error')) as AttemptRow[];
    for (const a of attempts) tries.set(a.delivery_id, [...(tries.get(a.delivery_id) ?? []), toAttempt(a)]);
    return tries;
  }

  return {
    async create({ userId, scope }, { url, eventTypes, description = null }) {
      try {
        checkWebhookUrl(url, policy);
      } catch (error) {
        throw new UnprocessableError(`the webhook URL is refused: ${(error as Error).message}`);
      }
      const unknown = eventTypes.filter((t) => !isWebhookEventType(t));
      if (unknown.length > 0) throw new UnprocessableError(`unknown event types: ${unknown.join(', ')}`);
      const secret = newWebhookSecret();
      const row = await db.transaction(async (trx) => {
        // The owner's subscriptions are counted under a lock on the owner, so two creations cannot both pass the cap.
        await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`webhook-owner:${userId}`]);
        const [{ count }] = (await trx.withSchema(S).table('webhook_subscriptions').where({ owner_id: userId }).count({ count: '*' })) as [{ count: string }];
        if (Number(count) >= MAX_SUBSCRIPTIONS_PER_OWNER) throw new UnprocessableError(`you already have ${MAX_SUBSCRIPTIONS_PER_OWNER} webhook subscriptions, the most one owner may have: delete one first`);
        const [created] = (await trx
          .withSchema(S)
          .table('webhook_subscriptions')
          .insert({ id: randomUUID(), owner_id: userId, scope, url, secret, event_types: [...new Set(eventTypes)], description, status: 'PENDING_VERIFICATION' })
          .returning('*')) as SubscriptionRow[];
        await queueVerification(trx, created!.id);
        return created!;
      });
      return { ...toView(row), secret };
    },

    async list(ownerId, { limit, cursor }) {
      const rows = (await pageQuery(db.withSchema(S).table('webhook_subscriptions').where({ owner_id: ownerId }).select('*'), { limit, cursor, direction: 'desc' })) as SubscriptionRow[];
      return toPage(rows, limit, toView);
    },

    async get(ownerId, id) {
      const row = await owned(ownerId, id);
      return row && toView(row);
    },

    async remove(ownerId, id) {
      const deleted = isUuid(id) ? await db.withSchema(S).table('webhook_subscriptions').where({ id, owner_id: ownerId }).delete() : 0;
      if (deleted === 0) throw new NotFoundError(`webhook subscription ${id} not found`);
    },

    async verify(ownerId, id) {
      await mustOwn(ownerId, id);
      const row = await db.transaction(async (trx) => {
        // A verification still pending is superseded: only the newest challenge counts.
        await trx
          .withSchema(S)
          .table('webhook_deliveries')
          .where({ subscription_id: id, event_type: VERIFICATION_TYPE, status: 'PENDING' })
          .update({ status: 'FAILED', next_attempt_at: null, last_error: 'superseded by a newer verification request' });
        const [updated] = (await trx
          .withSchema(S)
          .table('webhook_subscriptions')
          .where({ id, owner_id: ownerId })
          .update({ status: 'PENDING_VERIFICATION', disabled_reason: null, disabled_at: null, consecutive_failures: 0, updated_at: trx.fn.now() })
          .returning('*')) as SubscriptionRow[];
        await queueVerification(trx, id);
        return updated!;
      });
      return toView(row);
    },

    async deliveries(ownerId, id, { limit, cursor }): Promise<Page<WebhookDeliveryView>> {
      await mustOwn(ownerId, id);
      const rows = (await pageQuery(db.withSchema(S).table('webhook_deliveries').where({ subscription_id: id }).select(DELIVERY_COLUMNS), { limit, cursor, direction: 'desc' })) as DeliveryRow[];
      const tries = await withTries(rows.slice(0, limit));
      return toPage(rows, limit, (row) => toDelivery(row, tries.get(row.id) ?? []));
    },

    async replay(ownerId, deliveryId) {
      if (!isUuid(deliveryId)) throw new NotFoundError(`webhook delivery ${deliveryId} not found`);
      const original = (await db
        .withSchema(S)
        .table('webhook_deliveries as d')
        .join('webhook_subscriptions as s', 's.id', 'd.subscription_id')
        .where({ 'd.id': deliveryId, 's.owner_id': ownerId })
        .first('d.id', 'd.subscription_id', 'd.message_id', 'd.event_type', 'd.event_id', 'd.order_id', 'd.payload', 'd.status', 's.status as subscription_status')) as
        | (Pick<DeliveryRow, 'id' | 'subscription_id' | 'message_id' | 'event_type' | 'event_id' | 'order_id' | 'status'> & { payload: unknown; subscription_status: SubscriptionRow['status'] })
        | undefined;
      if (!original) throw new NotFoundError(`webhook delivery ${deliveryId} not found`);
      if (original.event_type === VERIFICATION_TYPE) throw new ConflictError('a verification request is not replayed: POST /me/webhooks/{id}/verify sends a new one');
      if (original.status === 'PENDING') throw new ConflictError(`delivery ${deliveryId} is still pending: it is tried again on its own`);
      if (original.subscription_status !== 'ACTIVE') throw new ConflictError(`the subscription is ${original.subscription_status}: verify it first (POST /me/webhooks/{id}/verify)`);
      const [row] = (await db
        .withSchema(S)
        .table('webhook_deliveries')
        .insert({
          id: randomUUID(),
          subscription_id: original.subscription_id,
          message_id: original.message_id,
          event_type: original.event_type,
          event_id: original.event_id,
          order_id: original.order_id,
          payload: JSON.stringify(original.payload),
          status: 'PENDING',
          next_attempt_at: db.fn.now(),
          replay_of: original.id,
        })
        .returning(DELIVERY_COLUMNS)) as DeliveryRow[];
      return toDelivery(row!, []);
    },
  };
}
