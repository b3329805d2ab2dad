import { Type, type Static, type TSchema } from 'typebox';
import { CANCEL_REASON, ORDER_LIMITS } from './orders';
import { PAYMENT_FAILURE } from './payments';

// The event catalogue: every event type, the topic it travels on, and the JSON Schema of its
// `data`. REST schemas and consumers' validation use these same TypeBox definitions.

const Id = Type.String({ minLength: 1, maxLength: 100 });
/**
 * Free text may hold anything but NUL: Postgres stores no NUL in text or jsonb, so an event carrying one
 * could never be written to an outbox or a table. Schemas that take text from outside use this pattern.
 */
export const TEXT_PATTERN = '^[^\\u0000]*$';
const Text = (minLength: number, maxLength: number) => Type.String({ minLength, maxLength, pattern: TEXT_PATTERN });
const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
const Cents = Type.Integer({ minimum: 0 });
/** A union of an `as const` object's values, typed as that union. */
const literals = <T extends Record<string, string>>(values: T) => Type.Unsafe<T[keyof T]>(Type.Union(Object.values(values).map((v) => Type.Literal(v))));

/** A requested order line. */
export const RequestedItemSchema = Type.Object(
  { petId: Id, quantity: Type.Integer({ minimum: 1, maximum: ORDER_LIMITS.maxQuantityPerItem }) },
  { additionalProperties: false },
);
/** An order line with its captured unit price. */
export const PricedItemSchema = Type.Object(
  { petId: Id, quantity: Type.Integer({ minimum: 1 }), unitPriceCents: Cents },
  { additionalProperties: false },
);
/** One of CANCEL_REASON. */
export const CancelReasonSchema = literals(CANCEL_REASON);

const object = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false });

/** A payment token as a customer gives it (POST /orders, POST /payments). */
export const PaymentTokenSchema = Text(1, 200);

/**
 * A payment token on its way to Payment: sealed for Payment alone (ptk1.<key id>.<ciphertext>, see
 * lib/payment-token.ts), as every producer writes it; in clear only in events written before sealing.
 */
const SealedPaymentToken = Type.String({ minLength: 1, maxLength: 1200, pattern: TEXT_PATTERN, description: 'sealed for Payment: ptk1.<key id>.<base64url>' });

/** Every event's data schema, by type, with its topic. */
export const EVENT_CATALOGUE = {
  OrderPlaced: {
    topic: 'orders',
    data: object({
      userId: Id,
      items: Type.Array(RequestedItemSchema, { minItems: 1 }),
      paymentToken: SealedPaymentToken,
      /** The id Payment gives the order's payment: the saga picks it, so it can check what Payment answers. */
      paymentId: Type.Optional(Id),
    }),
  },
  InventoryReserved: {
    topic: 'orders',
    data: object({ items: Type.Array(PricedItemSchema, { minItems: 1 }), totalCents: Cents, currency: Currency }),
  },
  InventoryRejected: {
    topic: 'orders',
    data: object({
      reason: Type.Union([
        Type.Literal(CANCEL_REASON.OUT_OF_STOCK),
        Type.Literal(CANCEL_REASON.UNKNOWN_PET),
        Type.Literal(CANCEL_REASON.MIXED_CURRENCY),
        Type.Literal(CANCEL_REASON.HOLD_LIMIT),
      ]),
      petId: Type.Optional(Id),
    }),
  },
  InventoryReleased: {
    topic: 'orders',
    data: object({ items: Type.Array(RequestedItemSchema) }),
  },
  OrderConfirmed: {
    topic: 'orders',
    data: object({ userId: Id, totalCents: Cents, currency: Currency }),
  },
  OrderCancelled: {
    topic: 'orders',
    data: object({ userId: Id, reason: CancelReasonSchema }),
  },
  PaymentSucceeded: {
    topic: 'payments',
    data: object({ paymentId: Id, userId: Id, amountCents: Cents, currency: Currency }),
  },
  PaymentFailed: {
    topic: 'payments',
    data: object({ paymentId: Id, userId: Id, reason: literals(PAYMENT_FAILURE), message: Type.Optional(Type.String({ maxLength: 500 })) }),
  },
  PaymentRefunded: {
    topic: 'payments',
    // The optional fields came with partial refunds; an event without them is a refund in full of an older release.
    data: object({
      paymentId: Id,
      userId: Id,
      amountCents: Cents,
      currency: Currency,
      /** True when this refund answers the order's OrderCancelled: the compensation the saga waits for. */
      forCancellation: Type.Optional(Type.Boolean()),
      /** The refund's id (payments.refunds). */
      refundId: Type.Optional(Id),
      /** The order lines this refund took back, at their captured prices (none for a refund by amount). */
      items: Type.Optional(Type.Array(PricedItemSchema)),
      /** Whether Inventory puts the refunded lines back in stock. */
      restock: Type.Optional(Type.Boolean()),
      /** What stays refundable after this refund: 0 when the payment is refunded in full. */
      remainingCents: Type.Optional(Cents),
    }),
  },
  NotificationRequested: {
    topic: 'notifications',
    data: object({
      userId: Id,
      kind: Text(1, 64),
      body: Text(1, 2000),
      channel: Type.Optional(Type.Union([Type.Literal('log'), Type.Literal('webhook')])),
    }),
  },
} as const;

/** Every event type name. */
export type EventType = keyof typeof EVENT_CATALOGUE;
/** The `data` of one event type. */
export type EventData<T extends EventType> = Static<(typeof EVENT_CATALOGUE)[T]['data']>;

/** The JSON envelope every event travels in; `id` is unique and is what consumers deduplicate on. */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  /** The service that emitted it: inventory, orders, payments, notifications. */
  source: string;
  time: string;
  orderId: string;
  correlationId: string;
  data: EventData<T>;
  /** The version of the type's data (domain/event-versions.ts); parsed events are always upcast to the current one. */
  version: number;
}

/** Any event, discriminated by type. */
export type AnyEvent = { [T in EventType]: EventEnvelope<T> }[EventType];

/** The envelope's own schema, as events published before CloudEvents binary mode carry it in the value (data is checked against the catalogue by type). */
export const EnvelopeSchema = Type.Object({
  id: Id,
  type: Type.String(),
  source: Type.String(),
  time: Type.String(),
  orderId: Type.String(),
  correlationId: Type.String(),
  data: Type.Unknown(),
  version: Type.Integer({ minimum: 1 }),
});

/** Whether a string names an event in the catalogue. */
export const isEventType = (type: string): type is EventType => Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type);
