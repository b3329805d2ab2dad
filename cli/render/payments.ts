import { pc } from '../output';
import type { PaymentView, RefundView } from '../../api/ports';
import { PAYMENT_STATUS } from '../../domain/payments';
import { table } from '../output';
import { details, money, orDash, time } from './format';

/** The status, coloured by outcome, with the failure reason when there is one. */
export function paymentStatus(payment: Pick<PaymentView, 'status' | 'failureReason'>): string {
  const text = payment.failureReason ? `${payment.status} (${payment.failureReason})` : payment.status;
  if (payment.status === PAYMENT_STATUS.SUCCEEDED) return pc.green(text);
  if (payment.status === PAYMENT_STATUS.FAILED) return pc.red(text);
  if (payment.status === PAYMENT_STATUS.REFUNDED || payment.status === PAYMENT_STATUS.PARTIALLY_REFUNDED) return pc.cyan(text);
  return pc.yellow(text);
}

/** One payment for humans. */
export function paymentDetails(payment: PaymentView, now: Date): string {
  return details([
    ['payment', payment.id],
    ['order', payment.orderId],
    ['customer', payment.userId],
    ['amount', money(payment.amountCents, payment.currency)],
    ['refunded', payment.refundedCents ? money(payment.refundedCents, payment.currency) : '-'],
    ['status', paymentStatus(payment)],
    ['failure', orDash(payment.failureReason)],
    ['created', time(payment.createdAt, now)],
  ]);
}

/** Payments as a table, one line each. */
export function paymentsTable(payments: PaymentView[], now: Date): string {
  if (payments.length === 0) return 'no payments';
  return table(
    ['payment', 'order', 'customer', 'amount', 'status', 'created'],
    payments.map((p) => [p.id, p.orderId, p.userId, money(p.amountCents, p.currency), paymentStatus(p), time(p.createdAt, now)]),
  );
}

/** A refund's lines in one cell: `2 x <petId>` each, or `by amount`. */
const refundLines = (refund: RefundView): string => (refund.items.length ? refund.items.map((i) => `${i.quantity} x ${i.petId}`).join(', ') : 'by amount');

/** One refund for humans. */
export function refundDetails(refund: RefundView, now: Date): string {
  return details([
    ['refund', refund.id],
    ['payment', refund.paymentId],
    ['order', refund.orderId],
    ['amount', money(refund.amountCents, refund.currency)],
    ['lines', refundLines(refund)],
    ['restocked', refund.restock ? 'yes' : 'no'],
    ['remains', money(refund.remainingCents, refund.currency)],
    ['payment now', paymentStatus({ status: refund.paymentStatus, failureReason: null })],
    ['by', refund.actor],
    ['reason', refund.reason],
    ['created', time(refund.createdAt, now)],
  ]);
}

/** A payment's refunds as a table, oldest first. */
export function refundsTable(refunds: RefundView[], now: Date): string {
  if (refunds.length === 0) return 'no refunds';
  return table(
    ['refund', 'amount', 'lines', 'restocked', 'remains', 'by', 'reason', 'created'],
    refunds.map((r) => [r.id, money(r.amountCents, r.currency), refundLines(r), r.restock ? 'yes' : 'no', money(r.remainingCents, r.currency), r.actor, r.reason, time(r.createdAt, now)]),
  );
}
