import type { Knex } from 'knex';
import type { PaymentsPort, PaymentView } from '../../api/ports';
import { PAYMENT_FAILURE, PAYMENT_STATUS, type PaymentFailure, type PaymentStatus } from '../../domain/payments';
import { isRefundable } from '../../domain/refunds';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import type { KeyRing } from '../../lib/keyring';
import { requestHash as hmacOf, sealedPaymentToken, sealPaymentToken } from '../../lib/payment-token';
import { SUPPORT_ACTION } from '../../domain/audit';
import { recordSupportAction } from '../audit/audit';
import { chargePayment, lockPayment, refundRest, type PaymentRow } from './charges';
import { claimIdempotencyKey, settleIdempotencyKey } from './idempotency';
import { createRefunds } from './refunds';
import type { PaymentGateway } from './gateway';

const S = 'payments';

/** A payments row as the API's PaymentView. */
export function toView(row: PaymentRow): PaymentView {
  return {
    id: row.id,
    orderId: row.order_id,
    userId: row.user_id,
    amountCents: row.amount_cents === null ? null : Number(row.amount_cents),
    refundedCents: Number(row.refunded_cents),
    currency: row.currency,
    status: row.status as PaymentStatus,
    failureReason: row.failure_reason as PaymentFailure | null,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Payment's side of the REST API: paying (or retrying) an order's payment, reading payments, support refunds.
 * A token is sealed under `tokenKeys` before it is stored; Idempotency-Key requests are remembered by their HMAC under `hashKey`.
 */
export function createPaymentsRepository({ db, gateway, tokenKeys, hashKey }: { db: Knex; gateway: PaymentGateway; tokenKeys: KeyRing; hashKey: Buffer }): PaymentsPort {
  const byId = async (id: string) => (isUuid(id) ? ((await db.withSchema(S).table('payments').where({ id }).first()) as PaymentRow | undefined) : undefined);

  async function byOrder(orderId: string): Promise<PaymentView | undefined> {
    if (!isUuid(orderId)) return undefined;
    const row = (await db.withSchema(S).table('payments').where({ order_id: orderId }).first()) as PaymentRow | undefined;
    return row && toView(row);
  }

  /** Charges the order's payment within `trx`, under the payment's row lock. */
  async function charge(trx: Knex.Transaction, orderId: string, paymentToken: string): Promise<PaymentRow> {
    const payment = isUuid(orderId) ? await lockPayment(trx, orderId) : undefined;
    if (!payment) throw new NotFoundError(`order ${orderId} has no payment yet: it is still being placed, try again shortly`);
    if (payment.status === PAYMENT_STATUS.SUCCEEDED || payment.status === PAYMENT_STATUS.PARTIALLY_REFUNDED) return payment; // paid already: never charge twice
    if (payment.status === PAYMENT_STATUS.REFUNDED) throw new ConflictError(`order ${orderId} was paid and refunded: it can no longer be paid`);
    if (payment.failure_reason === PAYMENT_FAILURE.ORDER_CANCELLED) throw new ConflictError(`order ${orderId} was cancelled and can no longer be paid`);
    if (payment.amount_cents === null) throw new ConflictError(`order ${orderId} is not awaiting payment yet (inventory has not reserved it): try again shortly`);
    const sealed = sealPaymentToken(tokenKeys, orderId, paymentToken);
    await trx.withSchema(S).table('payments').where({ id: payment.id }).update({ payment_token: sealed, status: PAYMENT_STATUS.PENDING });
    await chargePayment(trx, gateway, { ...payment, payment_token: sealed }, orderId);
    return (await trx.withSchema(S).table('payments').where({ id: payment.id }).first()) as PaymentRow;
  }

  return {
    async pay({ orderId, paymentToken, idempotencyKey }) {
      if (!idempotencyKey) return { payment: toView(await db.transaction((trx) => charge(trx, orderId, paymentToken))), replayed: false };
      const claim = { scope: orderId, key: idempotencyKey };
      // The key is claimed in the charge's own transaction (see claimIdempotencyKey); the body is remembered
      // by its HMAC, as it holds the payment token.
      return db.transaction(async (trx) => {
        const seen = await claimIdempotencyKey(trx, { ...claim, hash: hmacOf(hashKey, [orderId, paymentToken]) });
        if (seen) return { payment: toView((await trx.withSchema(S).table('payments').where({ id: seen.payment_id }).first()) as PaymentRow), replayed: true };
        const payment = await charge(trx, orderId, paymentToken);
        await settleIdempotencyKey(trx, claim, { payment_id: payment.id });
        return { payment: toView(payment), replayed: false };
      });
    },
    async get(paymentId) {
      const row = await byId(paymentId);
      return row && toView(row);
    },
    getByOrder: byOrder,
    async listByOrder(orderId) {
      // One payment per order (payments_order_id_key); a list so that the API shape survives split payments.
      const payment = await byOrder(orderId);
      return payment ? [payment] : [];
    },
    async refund(paymentId, reason, requestedBy) {
      const found = await byId(paymentId);
      if (!found) throw new NotFoundError(`payment ${paymentId} not found`);
      return db.transaction(async (trx) => {
        // Under the same row lock as charges, partial refunds and the OrderCancelled refund: whichever
        // comes second sees what the first refunded, so nothing is refunded twice.
        const payment = await lockPayment(trx, found.order_id);
        if (!payment || !isRefundable(payment.status)) {
          throw new ConflictError(`payment ${paymentId} is ${payment?.status ?? 'gone'}: only a SUCCEEDED or PARTIALLY_REFUNDED payment can be refunded`);
        }
        if (Number(payment.amount_cents) <= Number(payment.refunded_cents)) throw new ConflictError(`payment ${paymentId} has nothing left to refund`);
        const refund = await refundRest(trx, gateway, payment, { reason, actor: requestedBy, correlationId: payment.order_id });
        await recordSupportAction(trx, {
          actor: requestedBy,
          action: SUPPORT_ACTION.refund,
          orderId: payment.order_id,
          paymentId: payment.id,
          reason,
          details: { refundId: refund.id, amountCents: Number(refund.amount_cents), currency: payment.currency, remainingCents: 0 },
        });
        return toView((await trx.withSchema(S).table('payments').where({ id: payment.id }).first()) as PaymentRow);
      });
    },
    ...createRefunds({ db, gateway }),
  };
}

/**
 * Seals the tokens that rows written before sealing hold in clear, in batches; run when Payment starts
 * (it holds the keys). Returns how many it sealed; a second run finds none.
 */
export async function sealLegacyPaymentTokens(db: Knex, tokenKeys: KeyRing, batch = 500): Promise<number> {
  let sealed = 0;
  for (;;) {
    const rows: { id: string; order_id: string; payment_token: string }[] = await db
      .withSchema(S)
      .table('payments')
      .select('id', 'order_id', 'payment_token')
      .whereNot('payment_token', 'like', 'ptk1.%')
      .limit(batch);
    for (const row of rows) {
      await db.withSchema(S).table('payments').where({ id: row.id, payment_token: row.payment_token }).update({ payment_token: sealedPaymentToken(tokenKeys, row.order_id, row.payment_token) });
    }
    sealed += rows.length;
    if (rows.length < batch) return sealed;
  }
}
