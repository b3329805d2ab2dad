import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import { isUuid } from '../../lib/ids';
import type { WebhookEventType } from '../../domain/webhooks';

export { VERIFICATION_TYPE, isWebhookEventType, type WebhookEventType } from '../../domain/webhooks';

// What a webhook subscription may ask for, and what each delivery says. A subscriber gets the facts of
// the event, never what only petstore's services may see (the payment token of an OrderPlaced).

const S = 'notifications';

/** The customer an event is about (every subscribable event names one). */
export const ownerOf = (event: EventEnvelope<WebhookEventType>): string => event.data.userId;

/** The `data` of a delivery: the order, the event's id and time, and the event's own facts less anything secret. */
export function webhookPayload(event: EventEnvelope<WebhookEventType>): Record<string, unknown> {
  const base = { eventId: event.id, orderId: event.orderId, occurredAt: event.time };
  if (event.type === 'OrderPlaced') {
    const { userId, items } = (event as EventEnvelope<'OrderPlaced'>).data;
    return { ...base, userId, items }; // the payment token stays with Payment
  }
  return { ...base, ...event.data };
}

/** The JSON body of one delivery, as Standard Webhooks lays it out: type, timestamp, data. */
export const webhookBody = (type: string, at: Date, data: unknown): string => JSON.stringify({ type, timestamp: at.toISOString(), data });

/**
 * Queues the event for every ACTIVE subscription that wants its type and may hear of its order (the
 * owner's own, or every order's), in one statement: idempotent by itself (one delivery per subscription
 * and event), so it may run in a consumer's transaction or, for an event Notification does nothing else
 * with, without one.
 */
export async function queueWebhookDeliveries(db: Knex | Knex.Transaction, event: EventEnvelope<WebhookEventType>): Promise<void> {
  if (!isUuid(event.id)) return; // ids petstore made are UUIDs; nothing else can be recorded
  await db.raw(
    `insert into ??.webhook_deliveries (id, subscription_id, message_id, event_type, event_id, order_id, payload, status, next_attempt_at)
     select gen_random_uuid(), s.id, gen_random_uuid(), ?, ?, ?, ?::jsonb, 'PENDING', now()
       from ??.webhook_subscriptions s
      where s.status = 'ACTIVE' and s.event_types @> array[?]::text[] and (s.owner_id = ? or s.scope = 'all-orders')
     on conflict (subscription_id, event_id) where replay_of is null and event_id is not null do nothing`,
    [S, event.type, event.id, event.orderId, JSON.stringify(webhookPayload(event)), S, event.type, ownerOf(event)],
  );
}
