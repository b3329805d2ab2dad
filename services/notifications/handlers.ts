import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import type { PricedItem } from '../../domain/orders';
import { stateless, type HandlerMap } from '../../kafka/consumer';
import type { Logger } from '../../lib/logger';
import { isUuid } from '../../lib/ids';
import { logNotification } from './channels';
import { hasEmail, money, type NotificationDetails } from './templates';
import { queueWebhookDeliveries } from './webhook-events';

const S = 'notifications';

type Channel = 'log' | 'webhook' | 'email';

/**
 * Notification's reactions to orders, payments and notifications; the order and payment events also go
 * to the webhook subscriptions that want them (queued here, sent by the subscription delivery worker). Each event is recorded once per
 * channel in the consumer's transaction: the log line at once, webhooks and emails as PENDING rows that
 * the delivery worker (delivery.ts) sends after the commit, so no endpoint ever holds up a partition.
 */
export function notificationHandlers({ db, logger }: { db: Knex; logger: Logger }): HandlerMap {
  async function channelsFor(trx: Knex.Transaction, userId: string, kind: string, only?: 'log' | 'webhook'): Promise<Channel[]> {
    if (only === 'log') return ['log'];
    const [target, contact] = await Promise.all([
      trx.withSchema(S).table('user_channels').where({ user_id: userId }).first('webhook_url') as Promise<{ webhook_url: string | null } | undefined>,
      trx.withSchema(S).table('contacts').where({ user_id: userId }).first('email_enabled', 'webhook_enabled') as Promise<{ email_enabled: boolean; webhook_enabled: boolean } | undefined>,
    ]);
    // Asking for a channel the user does not have is the message's fault: retried, then dead-lettered.
    if (only === 'webhook') {
      if (!target?.webhook_url) throw new Error(`user ${userId} has no webhook URL`);
      return ['webhook'];
    }
    const wanted: Channel[] = ['log'];
    if (target?.webhook_url && (contact?.webhook_enabled ?? true)) wanted.push('webhook');
    if (contact?.email_enabled && hasEmail(kind)) wanted.push('email');
    return wanted;
  }

  async function notify(
    trx: Knex.Transaction,
    event: EventEnvelope,
    { userId, kind, body, details = {}, only }: { userId: string; kind: string; body: string; details?: NotificationDetails; only?: 'log' | 'webhook' },
  ): Promise<void> {
    const orderId = isUuid(event.orderId) ? event.orderId : null;
    for (const channel of await channelsFor(trx, userId, kind, only)) {
      const queued = channel !== 'log';
      const row = {
        id: randomUUID(),
        event_id: event.id,
        user_id: userId,
        order_id: orderId,
        kind,
        channel,
        body,
        details: JSON.stringify(details),
        status: queued ? 'PENDING' : 'DELIVERED',
        delivered_at: queued ? null : trx.fn.now(),
        next_attempt_at: queued ? trx.fn.now() : null,
      };
      const fresh = await trx.withSchema(S).table('notifications').insert(row).onConflict(['event_id', 'channel']).ignore().returning('id');
      if (fresh.length > 0 && !queued) logNotification(logger, { userId, orderId, kind, body, eventId: event.id });
    }
  }

  /** The lines Notification learnt from InventoryReserved, for the emails. */
  async function linesOf(trx: Knex.Transaction, orderId: string): Promise<PricedItem[] | undefined> {
    if (!isUuid(orderId)) return undefined;
    const row = (await trx.withSchema(S).table('order_summaries').where({ order_id: orderId }).first('items')) as { items: PricedItem[] } | undefined;
    return row?.items;
  }

  return {
    async InventoryReserved({ event, trx }) {
      if (!isUuid(event.orderId)) return;
      const { items, totalCents, currency } = event.data;
      await trx.withSchema(S).table('order_summaries').insert({ order_id: event.orderId, items: JSON.stringify(items), total_cents: totalCents, currency }).onConflict('order_id').ignore();
    },
    // Events Notification only passes on to webhook subscriptions: one idempotent statement, no transaction.
    OrderPlaced: stateless(({ event }) => queueWebhookDeliveries(db, event)),
    PaymentSucceeded: stateless(({ event }) => queueWebhookDeliveries(db, event)),
    async OrderConfirmed({ event, trx }) {
      await queueWebhookDeliveries(trx, event);
      const { userId, totalCents, currency } = event.data;
      const details = { totalCents, currency, items: await linesOf(trx, event.orderId) };
      await notify(trx, event, { userId, kind: 'order-confirmed', body: `Your order ${event.orderId} is confirmed: ${money(totalCents, currency)}. Thank you!`, details });
    },
    async OrderCancelled({ event, trx }) {
      await queueWebhookDeliveries(trx, event);
      const { userId, reason } = event.data;
      await notify(trx, event, { userId, kind: 'order-cancelled', body: `Your order ${event.orderId} was cancelled (${reason}).`, details: { reason } });
    },
    async PaymentFailed({ event, trx }) {
      await queueWebhookDeliveries(trx, event);
      if (event.data.reason !== 'DECLINED') return;
      await notify(trx, event, { userId: event.data.userId, kind: 'payment-declined', body: `The payment for order ${event.orderId} was declined. You can pay with another method.` });
    },
    async PaymentRefunded({ event, trx }) {
      await queueWebhookDeliveries(trx, event);
      const { userId, amountCents, currency, items, remainingCents } = event.data;
      // This refund's own lines; an event of an older release (no items) refunded the whole order.
      const lines = items ?? (await linesOf(trx, event.orderId));
      const partial = (remainingCents ?? 0) > 0;
      const details = { amountCents, currency, items: lines, partial, ...(partial ? { remainingCents } : {}) };
      const body = `We refunded ${money(amountCents, currency)} for order ${event.orderId}${partial ? ` (a partial refund: ${money(remainingCents!, currency)} stays paid)` : ''}.`;
      await notify(trx, event, { userId, kind: 'payment-refunded', body, details });
    },
    async NotificationRequested({ event, trx }) {
      const { userId, kind, body, channel } = event.data;
      await notify(trx, event, { userId, kind, body, ...(channel ? { only: channel } : {}) });
    },
  };
}
