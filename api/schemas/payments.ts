import { Type } from 'typebox';
import { PaymentTokenSchema, PricedItemSchema, RequestedItemSchema } from '../../domain/events';
import { PAYMENT_FAILURE, PAYMENT_STATUS } from '../../domain/payments';
import { SupportReason } from './audit';
import { Cents, Currency, Id, Timestamp, Uuid, nullable, pageOf } from './common';

/** A payment as the API shows it. */
export const PaymentViewSchema = Type.Object({
  id: Id,
  orderId: Id,
  userId: Id,
  amountCents: nullable(Cents),
  refundedCents: Type.Integer({ minimum: 0, description: 'the sum of the payment\'s refunds so far' }),
  currency: nullable(Currency),
  status: Type.Enum(PAYMENT_STATUS),
  failureReason: Type.Union([Type.Enum(PAYMENT_FAILURE), Type.Null()]),
  createdAt: Timestamp,
}, { $id: 'Payment', description: 'A payment of an order' });

/** POST /payments: pay (or retry paying) an order awaiting payment. */
export const PayBodySchema = Type.Object(
  { orderId: Id, paymentToken: PaymentTokenSchema },
  { $id: 'PaymentRequest', additionalProperties: false, description: 'Pay (or retry paying) an order awaiting payment' },
);

/** The :paymentId of /payments/:paymentId. */
export const PaymentParamsSchema = Type.Object({ paymentId: Id }, { additionalProperties: false });

/** GET /payments: the order whose payments to list. */
export const PaymentListQuerySchema = Type.Object({ orderId: Id }, { additionalProperties: false });

/** The order's payments (zero or one today; nextCursor is always null). */
export const PaymentListSchema = pageOf(PaymentViewSchema, 'PaymentPage', 'An order\'s payments (nextCursor is always null)');

/** POST /payments/:paymentId/refund: why (required; kept in the audit and on the refund). */
export const RefundBodySchema = Type.Object({ reason: SupportReason }, { $id: 'RefundRequest', additionalProperties: false, description: 'Why the payment is refunded' });

/** One order line of a partial refund: a pet of the order and how many of its units. */
export const RefundLineRequestSchema = Type.Object(
  { petId: Uuid, quantity: RequestedItemSchema.properties.quantity },
  { $id: 'RefundLineRequest', additionalProperties: false, description: 'A pet of the order and how many of its units to refund' },
);

/** POST /payments/:paymentId/refunds: an amount, some order lines, or neither (what remains), and why. */
export const PartialRefundBodySchema = Type.Object(
  {
    amountCents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000_000, description: 'refund this amount (not with items)' })),
    items: Type.Optional(Type.Array(RefundLineRequestSchema, { minItems: 1, maxItems: 100, description: 'refund these order lines at their captured prices (not with amountCents)' })),
    reason: SupportReason,
    restock: Type.Optional(Type.Boolean({ description: 'put the refunded lines back in stock (with items, or for what remains); default false' })),
  },
  {
    $id: 'PaymentRefundRequest',
    additionalProperties: false,
    description:
      'What to refund: amountCents, or items, or neither to refund whatever remains; never beyond what was captured minus earlier refunds. ' +
      'Not amountCents with items, nor amountCents with restock: true (a refund by amount names no pets to restock).',
    // In the schema itself, so a client (and a fuzzer) knows these bodies are refused as they are.
    not: {
      anyOf: [
        { required: ['amountCents', 'items'] },
        { required: ['amountCents', 'restock'], properties: { restock: { const: true } } },
      ],
    },
  },
);

/** An order line as a refund took it back, at its captured price. */
export const RefundLineSchema = Type.Object(
  { petId: Id, quantity: PricedItemSchema.properties.quantity, unitPriceCents: Cents },
  { $id: 'RefundLine', description: 'An order line a refund took back, at its captured unit price' },
);

/** One refund of a payment. */
export const PaymentRefundSchema = Type.Object(
  {
    id: Id,
    paymentId: Id,
    orderId: Id,
    amountCents: Cents,
    currency: Currency,
    items: Type.Array(RefundLineSchema, { description: 'the order lines refunded; empty for a refund by amount' }),
    reason: Type.String({ description: 'why, in support\'s words' }),
    actor: Type.String({ description: 'who asked: the token\'s subject, or system for the refund of a cancelled order' }),
    restock: Type.Boolean({ description: 'whether the refunded lines were sent back to stock' }),
    remainingCents: Type.Integer({ minimum: 0, description: 'what stayed refundable after this refund (0: refunded in full)' }),
    paymentStatus: Type.Union([Type.Literal(PAYMENT_STATUS.PARTIALLY_REFUNDED), Type.Literal(PAYMENT_STATUS.REFUNDED)], { description: 'the payment\'s status right after this refund' }),
    gatewayRef: Type.String({ description: 'the payment gateway\'s reference of the refund' }),
    createdAt: Timestamp,
  },
  { $id: 'PaymentRefund', description: 'One refund of a payment: by amount, by order line, or of what remained' },
);

/** A payment's refunds, oldest first. */
export const PaymentRefundListSchema = Type.Object({ items: Type.Array(PaymentRefundSchema) }, { $id: 'PaymentRefundList', description: 'A payment\'s refunds, oldest first' });

/** The Idempotency-Key every partial refund carries: a retry with the same key and body gets the first answer. */
export const RefundIdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: '^[\\x21-\\x7E]+$',
    description: 'required: one key per refund; repeating the request with the same key and body returns the first refund, another body is a 422',
  }),
});
