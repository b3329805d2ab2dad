import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { PAYMENT_FAILURE, PAYMENT_STATUS } from '../../domain/payments';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import type { PaymentGateway } from './gateway';

const S = 'payments';
const SOURCE = 'payments';

/** A payments row. */
export interface PaymentRow {
  id: string;
  order_id: string;
  user_id: string;
  payment_token: string;
  amount_cents: string | number | null;
  currency: string | null;
  status: string;
  gateway_ref: string | null;
  failure_reason: string | null;
  attempts: number;
  created_at: Date;
}

/** Reads the order's payment and locks it for the rest of the transaction: charges and refunds of one order run one at a time. */
export const lockPayment = (trx: Knex.Transaction, orderId: string): Promise<PaymentRow | undefined> =>
  trx.withSchema(S).table('payments').where({ order_id: orderId }).forUpdate().first();

/**
 * Charges a pending payment (the caller holds its lock) and records the outcome with its event
 * in the same transaction. A transient gateway error propagates: the caller retries.
 */
export async function chargePayment(trx: Knex.Transaction, gateway: PaymentGateway, payment: PaymentRow, correlationId: string): Promise<void> {
  const attempt = payment.attempts + 1;
  const amountCents = Number(payment.amount_cents);
  const currency = payment.currency!;
  const result = await gateway.charge({ idempotencyKey: `${payment.id}:${attempt}`, orderId: payment.order_id, token: payment.payment_token, amountCents, currency });
  const base = { source: SOURCE, orderId: payment.order_id, correlationId };
  const table = () => trx.withSchema(S).table('payments').where({ id: payment.id });
  if (result.outcome === 'pending') {
    await table().update({ attempts: attempt, updated_at: trx.fn.now() });
  } else if (result.outcome === 'succeeded') {
    await table().update({ status: PAYMENT_STATUS.SUCCEEDED, gateway_ref: result.reference, failure_reason: null, attempts: attempt, updated_at: trx.fn.now() });
    await writeEvents(trx, S, [newEvent('PaymentSucceeded', { ...base, data: { paymentId: payment.id, userId: payment.user_id, amountCents, currency } })]);
  } else {
    await table().update({ status: PAYMENT_STATUS.FAILED, failure_reason: PAYMENT_FAILURE.DECLINED, attempts: attempt, updated_at: trx.fn.now() });
    await writeEvents(trx, S, [
      newEvent('PaymentFailed', { ...base, data: { paymentId: payment.id, userId: payment.user_id, reason: PAYMENT_FAILURE.DECLINED, message: result.message } }),
    ]);
  }
}

/**
 * Refunds a captured payment once (the caller holds its lock) and emits PaymentRefunded; `forCancellation`
 * marks the refund that answers the order's OrderCancelled, the compensation its saga waits for.
 */
export async function refundPayment(
  trx: Knex.Transaction,
  gateway: PaymentGateway,
  payment: PaymentRow,
  reason: string,
  correlationId: string,
  { forCancellation = false }: { forCancellation?: boolean } = {},
): Promise<void> {
  const amountCents = Number(payment.amount_cents);
  const currency = payment.currency!;
  const { reference } = await gateway.refund({ idempotencyKey: `refund:${payment.id}`, chargeReference: payment.gateway_ref!, amountCents, currency });
  await trx.withSchema(S).table('refunds').insert({ id: randomUUID(), payment_id: payment.id, amount_cents: amountCents, gateway_ref: reference, reason });
  await trx.withSchema(S).table('payments').where({ id: payment.id }).update({ status: PAYMENT_STATUS.REFUNDED, updated_at: trx.fn.now() });
  await writeEvents(trx, S, [
    newEvent('PaymentRefunded', {
      source: SOURCE,
      orderId: payment.order_id,
      correlationId,
      data: { paymentId: payment.id, userId: payment.user_id, amountCents, currency, ...(forCancellation ? { forCancellation } : {}) },
    }),
  ]);
}
