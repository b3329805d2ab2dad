import { Type } from 'typebox';
import { EVENT_CATALOGUE } from '../../domain/events';
import { Id, Timestamp, nullable, pageOf, pageQueryFields } from './common';

const requested = EVENT_CATALOGUE.NotificationRequested.data.properties;

/** A recorded notification. */
export const NotificationViewSchema = Type.Object({
  id: Id,
  userId: Id,
  orderId: nullable(Id),
  kind: Type.String(),
  channel: Type.Enum(['log', 'webhook', 'email']),
  body: Type.String(),
  status: Type.Enum(['PENDING', 'DELIVERED', 'SENT', 'FAILED']),
  deliveredAt: nullable(Type.String({ format: 'date-time' })),
  createdAt: Timestamp,
  attempts: Type.Optional(Type.Integer({ minimum: 0 })),
  error: Type.Optional(nullable(Type.String())),
}, { $id: 'Notification', description: 'A notification sent (or tried) to a customer' });

/** POST /internal/notifications: the NotificationRequested event's data (one schema for REST and Kafka), plus the order it is about. */
export const NotificationRequestBodySchema = Type.Object(
  { userId: requested.userId, kind: requested.kind, body: requested.body, channel: requested.channel, orderId: Type.Optional(Id) },
  { additionalProperties: false },
);

/** The internal send API's answer: the event that will carry the notification. */
export const NotificationAcceptedSchema = Type.Object({ eventId: Id });

/** GET /notifications: whose (a customer may leave it out for their own), about which order (support: instead of or with userId), and paging. */
export const NotificationListQuerySchema = Type.Object(
  { userId: Type.Optional(Id), orderId: Type.Optional(Id), ...pageQueryFields },
  { additionalProperties: false },
);

/** A page of notifications. */
export const NotificationPageSchema = pageOf(NotificationViewSchema, 'NotificationPage', 'A page of notifications, newest first');
