import { Type } from 'typebox';
import { PaymentTokenSchema } from '../../domain/events';
import { PAYMENT_FAILURE, PAYMENT_STATUS } from '../../domain/payments';
import { SupportReason } from './audit';
import { Cents, Currency, Id, Timestamp, nullable, pageOf } from './common';

/** A payment as the API shows it. */
export const PaymentViewSchema = Type.Object({
  id: Id,
  orderId: Id,
  userId: Id,
  amountCents: nullable(Cents),
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
