import type { Knex } from 'knex';
import type { PaymentsPort, RefundView } from '../../api/ports';
import { SUPPORT_ACTION } from '../../domain/audit';
import { mergeItems } from '../../domain/pricing';
import { isRefundable, RefundRefusal, statusAfterRefund, type RefundAsk } from '../../domain/refunds';
import { ConflictError, NotFoundError, UnprocessableError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { recordSupportAction } from '../audit/audit';
import { lockPayment, planPaymentRefund, recordRefund, type PaymentRow, type RefundRow } from './charges';
import { claimIdempotencyKey, requestHash, settleIdempotencyKey } from './idempotency';
import type { PaymentGateway } from './gateway';

const S = 'payments';

/** A refunds row as the API's RefundView. */
export function toRefundView(row: RefundRow, orderId: string): RefundView {
  const remainingCents = Number(row.remaining_cents);
  return {
    id: row.id,
    paymentId: row.payment_id,
    orderId,
    amountCents: Number(row.amount_cents),
    currency: row.currency.trim(),
    items: row.lines,
    reason: row.reason,
    actor: row.actor,
    restock: row.restock,
    remainingCents,
    paymentStatus: statusAfterRefund(remainingCents),
    gatewayRef: row.gateway_ref,
    createdAt: row.created_at.toISOString(),
  };
}

/** Support's partial refunds of a payment, and the list of a payment's refunds. */
export function createRefunds({ db, gateway }: { db: Knex; gateway: PaymentGateway }): Pick<PaymentsPort, 'createRefund' | 'listRefunds'> {
  const paymentById = async (id: string) => (isUuid(id) ? ((await db.withSchema(S).table('payments').where({ id }).first()) as PaymentRow | undefined) : undefined);

  return {
    async createRefund({ paymentId, amountCents, items, reason, restock, requestedBy, idempotencyKey }) {
      if (amountCents !== undefined && items !== undefined) throw new UnprocessableError('give either amountCents or items, not both');
      if (restock && amountCents !== undefined) throw new UnprocessableError('restock needs order lines: a refund by amount names no pets to put back in stock');
      const found = await paymentById(paymentId);
      if (!found) throw new NotFoundError(`payment ${paymentId} not found`);
      const ask: RefundAsk = amountCents !== undefined ? { amountCents } : items !== undefined ? { items: mergeItems(items) } : { rest: true };
      const claim = { scope: `refund:${paymentId}`, key: idempotencyKey };
      const hash = requestHash([paymentId, ask, reason, restock]);
      return db.transaction(async (trx) => {
        // Claimed in the refund's own transaction, as payments' keys are: a concurrent repeat waits, then replays.
        const seen = await claimIdempotencyKey(trx, { ...claim, hash });
        if (seen?.refund_id) {
          const row = (await trx.withSchema(S).table('refunds').where({ id: seen.refund_id }).first()) as RefundRow;
          return { refund: toRefundView(row, found.order_id), replayed: true };
        }
        // Under the payment's row lock, like charges and the cancel's refund: refunds of one payment run one at a time.
        const payment = (await lockPayment(trx, found.order_id))!;
        if (!isRefundable(payment.status)) {
          throw new ConflictError(`payment ${paymentId} is ${payment.status}: only a SUCCEEDED or PARTIALLY_REFUNDED payment can be refunded`);
        }
        let plan;
        try {
          plan = await planPaymentRefund(trx, payment, ask);
        } catch (error) {
          if (error instanceof RefundRefusal) throw new ConflictError(`payment ${paymentId} cannot be refunded so: ${error.message}`);
          throw error;
        }
        if (restock && plan.items.length === 0) throw new ConflictError(`payment ${paymentId}: no order lines remain to restock`);
        // The gateway's key comes from the request's own key: a retry after a crash is answered by the gateway, never refunded twice.
        const gatewayKey = `refund:${payment.id}:${requestHash([idempotencyKey]).slice(0, 32)}`;
        const row = await recordRefund(trx, gateway, payment, { plan, reason, actor: requestedBy, restock, gatewayKey, correlationId: payment.order_id });
        await settleIdempotencyKey(trx, claim, { refund_id: row.id });
        await recordSupportAction(trx, {
          actor: requestedBy,
          action: SUPPORT_ACTION.refund,
          orderId: payment.order_id,
          paymentId: payment.id,
          reason,
          details: {
            refundId: row.id,
            amountCents: plan.amountCents,
            currency: payment.currency,
            remainingCents: plan.remainingCents,
            ...(plan.items.length ? { items: plan.items.map((i) => `${i.petId}:${i.quantity}`).join(' ') } : {}),
            ...(restock ? { restock } : {}),
          },
        });
        return { refund: toRefundView(row, payment.order_id), replayed: false };
      });
    },

    async listRefunds(paymentId) {
      const payment = await paymentById(paymentId);
      if (!payment) return undefined;
      // What remains only ever shrinks, so it orders a payment's refunds exactly as they were made.
      const rows = (await db.withSchema(S).table('refunds').where({ payment_id: paymentId }).orderBy([{ column: 'remaining_cents', order: 'desc' }, { column: 'created_at' }])) as RefundRow[];
      return rows.map((row) => toRefundView(row, payment.order_id));
    },
  };
}
