import { pc } from '../output';
import type { PaymentView } from '../../api/ports';
import { PAYMENT_STATUS } from '../../domain/payments';
import { table } from '../output';
import { details, money, orDash, time } from './format';

/** The status, coloured by outcome, with the failure reason when there is one. */
export function paymentStatus(payment: Pick<PaymentView, 'status' | 'failureReason'>): string {
  const text = payment.failureReason ? `${payment.status} (${payment.failureReason})` : payment.status;
  if (payment.status === PAYMENT_STATUS.SUCCEEDED) return pc.green(text);
  if (payment.status === PAYMENT_STATUS.FAILED) return pc.red(text);
  return pc.yellow(text);
}

/** One payment for humans. */
export function paymentDetails(payment: PaymentView, now: Date): string {
  return details([
    ['payment', payment.id],
    ['order', payment.orderId],
    ['customer', payment.userId],
    ['amount', money(payment.amountCents, payment.currency)],
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
