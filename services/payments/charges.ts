import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { PricedItem } from '../../domain/orders';
import { PAYMENT_FAILURE, PAYMENT_STATUS } from '../../domain/payments';
import { planRefund, statusAfterRefund, type RefundAsk, type RefundableState, type RefundPlan } from '../../domain/refunds';
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
  /** The captured lines (from InventoryReserved); null before, or for an older payment whose lines were not found. */
  lines: PricedItem[] | null;
  refunded_cents: string | number;
  created_at: Date;
}

/** A refunds row. */
export interface RefundRow {
  id: string;
  payment_id: string;
  amount_cents: string | number;
  currency: string;
  lines: PricedItem[];
  reason: string;
  actor: string;
  restock: boolean;
  remaining_cents: string | number;
  gateway_ref: string;
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

/** What a locked, captured payment may still give back: its capture, its lines and its earlier refunds. */
export async function refundableState(trx: Knex.Transaction, payment: PaymentRow): Promise<RefundableState> {
  const earlier = (await trx.withSchema(S).table('refunds').where({ payment_id: payment.id }).select('amount_cents', 'lines')) as Pick<RefundRow, 'amount_cents' | 'lines'>[];
  return {
    capturedCents: Number(payment.amount_cents),
    lines: payment.lines,
    earlier: earlier.map((r) => ({ amountCents: Number(r.amount_cents), items: r.lines })),
  };
}

/** Plans a refund of a locked payment (RefundRefusal when it may not go ahead). */
export async function planPaymentRefund(trx: Knex.Transaction, payment: PaymentRow, ask: RefundAsk): Promise<RefundPlan> {
  return planRefund(await refundableState(trx, payment), ask);
}

/**
 * Makes one planned refund of a captured payment (the caller holds its lock): the gateway refunds
 * once per `gatewayKey`, then the refund row, the payment's new status and PaymentRefunded are
 * written in the caller's transaction.
 */
export async function recordRefund(
  trx: Knex.Transaction,
  gateway: PaymentGateway,
  payment: PaymentRow,
  {
    plan,
    reason,
    actor,
    restock,
    gatewayKey,
    correlationId,
    forCancellation = false,
  }: { plan: RefundPlan; reason: string; actor: string; restock: boolean; gatewayKey: string; correlationId: string; forCancellation?: boolean },
): Promise<RefundRow> {
  const currency = payment.currency!;
  const { reference } = await gateway.refund({ idempotencyKey: gatewayKey, chargeReference: payment.gateway_ref!, amountCents: plan.amountCents, currency });
  const [row] = (await trx
    .withSchema(S)
    .table('refunds')
    .insert({
      id: randomUUID(),
      payment_id: payment.id,
      amount_cents: plan.amountCents,
      currency,
      lines: JSON.stringify(plan.items),
      gateway_ref: reference,
      reason,
      actor,
      restock,
      remaining_cents: plan.remainingCents,
    })
    .returning('*')) as RefundRow[];
  await trx
    .withSchema(S)
    .table('payments')
    .where({ id: payment.id })
    .update({ status: statusAfterRefund(plan.remainingCents), refunded_cents: trx.raw('refunded_cents + ?', [plan.amountCents]), updated_at: trx.fn.now() });
  await writeEvents(trx, S, [
    newEvent('PaymentRefunded', {
      source: SOURCE,
      orderId: payment.order_id,
      correlationId,
      data: { paymentId: payment.id, userId: payment.user_id, amountCents: plan.amountCents, currency, refundId: row!.id,
        items: plan.items,
        restock,
        remainingCents: plan.remainingCents,
        ...(forCancellation ? { forCancellation } : {}),
      },
    }),
  ]);
  return row!;
}

/**
 * Refunds whatever a captured payment still holds (the caller holds its lock), once: for a cancelled
 * order and for the whole-refund route. The gateway key of an untouched payment is the one full
 * refunds always had, so a refund made before a crash is answered, not repeated.
 */
export async function refundRest(
  trx: Knex.Transaction,
  gateway: PaymentGateway,
  payment: PaymentRow,
  { reason, actor, correlationId, forCancellation = false }: { reason: string; actor: string; correlationId: string; forCancellation?: boolean },
): Promise<RefundRow> {
  const plan = await planPaymentRefund(trx, payment, { rest: true });
  const gatewayKey = Number(payment.refunded_cents) === 0 ? `refund:${payment.id}` : `refund:${payment.id}:rest`;
  return recordRefund(trx, gateway, payment, { plan, reason, actor, restock: false, gatewayKey, correlationId, forCancellation });
}
