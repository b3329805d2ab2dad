import { Type } from 'typebox';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks';
import { Timestamp, Uuid, nullable, pageOf, pageQueryFields } from './common';

const EventTypeSchema = Type.Enum([...WEBHOOK_EVENT_TYPES], { description: 'a domain event type' });
const Instant = nullable(Type.String({ format: 'date-time' }));

const subscriptionFields = {
  id: Uuid,
  url: Type.String({ description: 'where deliveries are POSTed' }),
  scope: Type.Enum(['own-orders', 'all-orders'], { description: 'own-orders: events of your own orders (customers); all-orders: every order\'s (admins)' }),
  eventTypes: Type.Array(Type.String({ description: 'a domain event type' })),
  description: nullable(Type.String()),
  status: Type.Enum(['PENDING_VERIFICATION', 'ACTIVE', 'DISABLED'], {
    description: 'PENDING_VERIFICATION until the endpoint echoed the challenge (no deliveries before); DISABLED after too many consecutive failures',
  }),
  consecutiveFailures: Type.Integer({ minimum: 0, description: 'failed tries since the last success' }),
  disabledReason: nullable(Type.String()),
  verifiedAt: Instant,
  disabledAt: Instant,
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

/** A webhook subscription as its owner sees it. */
export const WebhookSubscriptionSchema = Type.Object(subscriptionFields, { $id: 'WebhookSubscription', description: 'A webhook subscription (never its secret)' });

/** The creation's answer: the subscription and its secret, shown this once. */
export const CreatedWebhookSubscriptionSchema = Type.Object(
  { ...subscriptionFields, secret: Type.String({ pattern: '^whsec_', description: 'the Standard Webhooks secret that signs every delivery: shown only now, keep it' }) },
  { $id: 'CreatedWebhookSubscription', description: 'A new webhook subscription with its signing secret' },
);

/** POST /me/webhooks. */
export const WebhookSubscriptionInputSchema = Type.Object(
  {
    url: Type.String({ minLength: 8, maxLength: 2000, pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$', description: 'an https URL on the public internet (the webhook URL policy applies)' }),
    eventTypes: Type.Array(EventTypeSchema, { minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, uniqueItems: true }),
    description: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: 'your own label' }))),
  },
  { additionalProperties: false, $id: 'WebhookSubscriptionInput', description: 'What to subscribe: the endpoint and the event types it wants' },
);

/** A page of subscriptions. */
export const WebhookSubscriptionPageSchema = pageOf(WebhookSubscriptionSchema, 'WebhookSubscriptionPage', 'A page of your webhook subscriptions, newest first');

/** One try of a delivery. */
export const WebhookAttemptSchema = Type.Object(
  {
    attempt: Type.Integer({ minimum: 1 }),
    startedAt: Timestamp,
    durationMs: Type.Integer({ minimum: 0 }),
    statusCode: nullable(Type.Integer({ description: 'the endpoint\'s HTTP status; null when it could not be reached' })),
    error: nullable(Type.String()),
  },
  { $id: 'WebhookAttempt', description: 'One try of a webhook delivery' },
);

/** One delivery of the log. */
export const WebhookDeliverySchema = Type.Object(
  {
    id: Uuid,
    subscriptionId: Uuid,
    messageId: Type.String({ description: 'the webhook-id header: the same on every try and on a replay' }),
    eventType: Type.String({ description: 'a domain event type, or webhook.verification' }),
    eventId: nullable(Type.String()),
    orderId: nullable(Type.String()),
    status: Type.Enum(['PENDING', 'DELIVERED', 'FAILED']),
    attempts: Type.Integer({ minimum: 0 }),
    nextAttemptAt: Instant,
    lastStatusCode: nullable(Type.Integer()),
    lastError: nullable(Type.String()),
    replayOf: nullable(Type.String({ description: 'the delivery this one replays' })),
    createdAt: Timestamp,
    deliveredAt: Instant,
    tries: Type.Array(WebhookAttemptSchema),
  },
  { $id: 'WebhookDelivery', description: 'One webhook delivery and its tries (never its body or the secret)' },
);

/** A page of deliveries. */
export const WebhookDeliveryPageSchema = pageOf(WebhookDeliverySchema, 'WebhookDeliveryPage', 'A page of a subscription\'s deliveries, newest first');

/** The subscription in the path. */
export const WebhookParamsSchema = Type.Object({ id: Uuid });
/** The delivery in the path. */
export const WebhookDeliveryParamsSchema = Type.Object({ deliveryId: Uuid });
/** Paging of the lists. */
export const WebhookPageQuerySchema = Type.Object({ ...pageQueryFields }, { additionalProperties: false });
