import type { EventType } from './events';

/** The domain event types a webhook subscription may name (each names the order's customer). */
export const WEBHOOK_EVENT_TYPES = ['OrderPlaced', 'OrderConfirmed', 'OrderCancelled', 'PaymentSucceeded', 'PaymentFailed', 'PaymentRefunded'] as const satisfies readonly EventType[];
/** One of WEBHOOK_EVENT_TYPES. */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The type of the handshake request every subscription gets before its first delivery. */
export const VERIFICATION_TYPE = 'webhook.verification';

/** Whether a domain event type can be subscribed to. */
export const isWebhookEventType = (type: string): type is WebhookEventType => (WEBHOOK_EVENT_TYPES as readonly string[]).includes(type);
