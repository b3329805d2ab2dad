import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import type { HandlerMap } from '../../kafka/consumer';
import type { Logger } from '../../lib/logger';
import { isUuid } from '../../lib/ids';
import { logChannel, webhookChannel, type Channel } from './channels';

const S = 'notifications';

const euros = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/** Notification's reactions to orders, payments and notifications: each event is delivered once per channel and recorded. */
export function notificationHandlers({ logger, channels = {} }: { logger: Logger; channels?: { log?: Channel; webhook?: Channel } }): HandlerMap {
  const log = channels.log ?? logChannel(logger);
  const webhook = channels.webhook ?? webhookChannel;

  async function notify(trx: Knex.Transaction, event: EventEnvelope, userId: string, kind: string, body: string, only?: 'log' | 'webhook'): Promise<void> {
    const orderId = isUuid(event.orderId) ? event.orderId : null;
    const target = (await trx.withSchema(S).table('user_channels').where({ user_id: userId }).first('webhook_url')) as { webhook_url: string | null } | undefined;
    const wanted: ('log' | 'webhook')[] = only ? [only] : target?.webhook_url ? ['log', 'webhook'] : ['log'];
    for (const channel of wanted) {
      const row = { id: randomUUID(), event_id: event.id, user_id: userId, order_id: orderId, kind, channel, body, status: 'DELIVERED', delivered_at: trx.fn.now() };
      const fresh = await trx.withSchema(S).table('notifications').insert(row).onConflict(['event_id', 'channel']).ignore().returning('id');
      if (fresh.length === 0) continue; // delivered before
      const delivery = { userId, orderId, kind, body, eventId: event.id };
      await (channel === 'log' ? log(delivery, {}) : webhook(delivery, { webhookUrl: target?.webhook_url ?? undefined }));
    }
  }

  return {
    async OrderConfirmed({ event, trx }) {
      const { userId, totalCents, currency } = event.data;
      await notify(trx, event, userId, 'order-confirmed', `Your order ${event.orderId} is confirmed: ${euros(totalCents, currency)}. Thank you!`);
    },
    async OrderCancelled({ event, trx }) {
      await notify(trx, event, event.data.userId, 'order-cancelled', `Your order ${event.orderId} was cancelled (${event.data.reason}).`);
    },
    async PaymentFailed({ event, trx }) {
      if (event.data.reason !== 'DECLINED') return;
      await notify(trx, event, event.data.userId, 'payment-declined', `The payment for order ${event.orderId} was declined. You can pay with another method.`);
    },
    async PaymentRefunded({ event, trx }) {
      const { userId, amountCents, currency } = event.data;
      await notify(trx, event, userId, 'payment-refunded', `We refunded ${euros(amountCents, currency)} for order ${event.orderId}.`);
    },
    async NotificationRequested({ event, trx }) {
      await notify(trx, event, event.data.userId, event.data.kind, event.data.body, event.data.channel);
    },
  };
}
