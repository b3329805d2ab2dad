import type { Logger } from '../../lib/logger';

/** One notification to deliver. */
export interface Delivery {
  userId: string;
  orderId: string | null;
  kind: string;
  body: string;
  eventId: string;
}

/** A way to reach a user. Throwing means "not delivered; retry". */
export type Channel = (delivery: Delivery, target: { webhookUrl?: string }) => Promise<void>;

/** Writes the notification to the service log (the channel every user has). */
export const logChannel =
  (logger: Logger): Channel =>
  async (delivery) => {
    logger.info({ userId: delivery.userId, orderId: delivery.orderId, kind: delivery.kind, eventId: delivery.eventId }, `notify: ${delivery.body}`);
  };

/** POSTs the notification as JSON to the user's webhook; the event id lets receivers drop repeats. */
export const webhookChannel: Channel = async (delivery, { webhookUrl }) => {
  if (!webhookUrl) throw new Error(`user ${delivery.userId} has no webhook URL`);
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': delivery.eventId },
    body: JSON.stringify(delivery),
    signal: AbortSignal.timeout(3000),
  });
  if (!response.ok) throw new Error(`webhook ${webhookUrl} answered ${response.status}`);
};
