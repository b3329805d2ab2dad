import { Type } from 'typebox';
import { CancelReasonSchema, PaymentTokenSchema, RequestedItemSchema } from '../../domain/events';
import { COMPENSATION_STATUS, ORDER_LIMITS, ORDER_STATUS } from '../../domain/orders';
import { SupportReason } from './audit';
import { Cents, Currency, Id, InstantInput, Timestamp, Uuid, nullable, pageOf, pageQueryFields } from './common';

/** Where to follow an order: its own URL and its saga in the Temporal UI. */
export const OrderLinksSchema = Type.Object(
  {
    self: Type.String({ description: 'the order\'s URL in this API' }),
    temporal: Type.Optional(Type.String({ description: 'the order saga in the Temporal UI: for support and admin only, never in a customer\'s answer' })),
  },
  { $id: 'OrderLinks', description: 'Where to follow an order' },
);

/** One of COMPENSATION_STATUS. */
export const CompensationSchema = Type.Enum(COMPENSATION_STATUS, {
  $id: 'Compensation',
  description: 'A cancelled order\'s restock and refund: pending until both are done, stuck past the compensation deadline',
});

/** One of ORDER_STATUS. */
export const OrderStatusSchema = Type.Enum(ORDER_STATUS, { $id: 'OrderStatus', description: 'Where the order\'s saga is' });

/** An order as the API shows it; prices and total are null until Inventory reserved the pets. */
export const OrderViewSchema = Type.Object({
  id: Id,
  userId: Id,
  status: OrderStatusSchema,
  cancelReason: Type.Union([CancelReasonSchema, Type.Null()]),
  items: Type.Array(Type.Object({ petId: Id, quantity: Type.Integer({ minimum: 1 }), unitPriceCents: nullable(Cents) })),
  totalCents: nullable(Cents),
  currency: nullable(Currency),
  paymentId: nullable(Id),
  compensation: Type.Union([CompensationSchema, Type.Null()], {
    description: 'Once its saga cancelled it: pending until Inventory restocked and Payment refunded what the cancel asked for, then done (stuck past the deadline); null otherwise',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  links: OrderLinksSchema,
}, { $id: 'Order', description: 'An order; prices and total are null until Inventory reserved the pets' });

// An order line as the OrderPlaced event carries it, with the pet named by its UUID: the order's lines are
// stored against the pet's uuid, so any other id could never be reserved and must be a 400 here.
const OrderLineSchema = Type.Object({ petId: Uuid, quantity: RequestedItemSchema.properties.quantity }, { additionalProperties: false });

/**
 * POST /orders. Lines and token are the OrderPlaced event's schemas (petId narrowed to a UUID), so REST
 * and Kafka agree. userId is for support and admin placing an order for a customer; a customer's comes from the token.
 */
export const PlaceOrderBodySchema = Type.Object(
  {
    items: Type.Array(OrderLineSchema, { minItems: 1, maxItems: ORDER_LIMITS.maxItems }),
    paymentToken: PaymentTokenSchema,
    userId: Type.Optional(Id),
  },
  { $id: 'PlaceOrderRequest', additionalProperties: false, description: 'An order to place. userId: support and admin name the customer (required for them); a customer may not set it (403)' },
);

/** POST /orders' answer: the saga has started; follow `links` for the outcome. */
export const OrderAcceptedSchema = Type.Object(
  { orderId: Id, status: OrderStatusSchema, links: OrderLinksSchema },
  { $id: 'OrderAccepted', description: 'The order is placed and its saga started; follow links for the outcome' },
);

/** The :orderId of /orders/:orderId. */
export const OrderParamsSchema = Type.Object({ orderId: Id }, { additionalProperties: false });

/** The :userId of /orders/user/:userId. */
export const UserParamsSchema = Type.Object({ userId: Id }, { additionalProperties: false });

/** Paging of a user's orders. */
export const OrderListQuerySchema = Type.Object({ ...pageQueryFields }, { additionalProperties: false });

/** A page of orders. */
export const OrderPageSchema = pageOf(OrderViewSchema, 'OrderPage', 'A page of orders, newest first');

/** GET /orders (support): every customer's orders, newest first, filtered by any of status, since (created at or after) and userId. */
export const OrderSearchQuerySchema = Type.Object(
  {
    status: Type.Optional(OrderStatusSchema),
    since: Type.Optional(InstantInput('orders created at or after this instant (ISO 8601 with a time zone, years 1970 to 9999)')),
    userId: Type.Optional(Id),
    ...pageQueryFields,
  },
  { additionalProperties: false },
);

/** POST /orders/:orderId/cancel: an optional reason (audited when support or admin cancels). The body may be left out. */
export const CancelBodySchema = Type.Object(
  { reason: Type.Optional(SupportReason) },
  { $id: 'CancelRequest', additionalProperties: false, description: 'Why the order is cancelled; optional: the request may have no body at all' },
);

/** POST /orders/:orderId/renotify: an optional reason for the audit. The body may be left out. */
export const RenotifyBodySchema = Type.Object(
  { reason: Type.Optional(SupportReason) },
  { $id: 'RenotifyRequest', additionalProperties: false, description: 'Why the customer is notified again; optional: the request may have no body at all' },
);

/** POST /orders/:orderId/renotify's answer: the event that will carry the notification. */
export const RenotifyAcceptedSchema = Type.Object({ eventId: Id }, { $id: 'RenotifyAccepted', description: 'The event that will carry the notification' });
