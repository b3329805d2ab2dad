import { Type } from 'typebox';
import { EVENT_CATALOGUE, CancelReasonSchema, RequestedItemSchema } from '../../domain/events';
import { ORDER_LIMITS, ORDER_STATUS } from '../../domain/orders';
import { Cents, Currency, Id, Timestamp, nullable, pageOf, pageQueryFields } from './common';

/** Where to follow an order: its own URL and its saga in the Temporal UI. */
export const OrderLinksSchema = Type.Object({
  self: Type.String(),
  temporal: Type.String({ description: 'the order saga in the Temporal UI' }),
});

/** One of ORDER_STATUS. */
export const OrderStatusSchema = Type.Enum(ORDER_STATUS);

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
  createdAt: Timestamp,
  updatedAt: Timestamp,
  links: OrderLinksSchema,
});

/**
 * POST /orders. Items and token are the OrderPlaced event's own schemas, so REST and Kafka agree.
 * userId is for support and admin placing an order for a customer; a customer's comes from the token.
 */
export const PlaceOrderBodySchema = Type.Object(
  {
    items: Type.Array(RequestedItemSchema, { minItems: 1, maxItems: ORDER_LIMITS.maxItems }),
    paymentToken: EVENT_CATALOGUE.OrderPlaced.data.properties.paymentToken,
    userId: Type.Optional(Id),
  },
  { additionalProperties: false },
);

/** POST /orders' answer: the saga has started; follow `links` for the outcome. */
export const OrderAcceptedSchema = Type.Object({ orderId: Id, status: OrderStatusSchema, links: OrderLinksSchema });

/** The :orderId of /orders/:orderId. */
export const OrderParamsSchema = Type.Object({ orderId: Id }, { additionalProperties: false });

/** The :userId of /orders/user/:userId. */
export const UserParamsSchema = Type.Object({ userId: Id }, { additionalProperties: false });

/** Paging of a user's orders. */
export const OrderListQuerySchema = Type.Object({ ...pageQueryFields }, { additionalProperties: false });

/** A page of orders. */
export const OrderPageSchema = pageOf(OrderViewSchema);
