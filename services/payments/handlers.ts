import { randomUUID } from 'node:crypto';
import { PAYMENT_FAILURE, PAYMENT_STATUS } from '../../domain/payments';
import type { HandlerMap } from '../../kafka/consumer';
import { isRefundable } from '../../domain/refunds';
import type { KeyRing } from '../../lib/keyring';
import { sealedPaymentToken } from '../../lib/payment-token';
import { chargePayment, lockPayment, refundRest } from './charges';
import type { PaymentGateway } from './gateway';

const S = 'payments';

/** Payment's reactions to the orders topic. */
export function paymentHandlers({ gateway, tokenKeys }: { gateway: PaymentGateway; tokenKeys: KeyRing }): HandlerMap {
  return {
    /** Opens the order's payment under the id the saga picked (older sagas: a new one), its token kept sealed (one that came in clear is sealed here); the amount comes with InventoryReserved. */
    async OrderPlaced({ event, trx }) {
      await trx
        .withSchema(S)
        .table('payments')
        .insert({
          id: event.data.paymentId ?? randomUUID(),
          order_id: event.orderId,
          user_id: event.data.userId,
          payment_token: sealedPaymentToken(tokenKeys, event.orderId, event.data.paymentToken),
          status: PAYMENT_STATUS.PENDING,
        })
        .onConflict('order_id')
        .ignore();
    },

    /** The pets are reserved at a known total: charge it, once. */
    async InventoryReserved({ event, trx }) {
      const payment = await lockPayment(trx, event.orderId);
      if (!payment) throw new Error(`no payment opened for order ${event.orderId} yet`); // OrderPlaced precedes it on the partition
      if (payment.status !== PAYMENT_STATUS.PENDING || payment.attempts > 0) return;
      const priced = { ...payment, amount_cents: event.data.totalCents, currency: event.data.currency };
      // The lines too, at the prices captured: partial refunds by line are priced from them.
      await trx
        .withSchema(S)
        .table('payments')
        .where({ id: payment.id })
        .update({ amount_cents: priced.amount_cents, currency: priced.currency, lines: JSON.stringify(event.data.items) });
      await chargePayment(trx, gateway, priced, event.correlationId);
    },

    /** Refunds what was captured and not refunded yet, once; an uncaptured payment is voided so it can no longer be paid. */
    async OrderCancelled({ event, trx }) {
      const payment = await lockPayment(trx, event.orderId);
      if (!payment) return;
      if (isRefundable(payment.status)) {
        // A capture of nothing (a free pet) has nothing to give back.
        if (Number(payment.amount_cents) > Number(payment.refunded_cents)) await refundRest(trx, gateway, payment, { reason: event.data.reason, actor: 'system', correlationId: event.correlationId, forCancellation: true });
        return;
      }
      if (payment.status === PAYMENT_STATUS.PENDING || payment.status === PAYMENT_STATUS.FAILED) {
        await trx
          .withSchema(S)
          .table('payments')
          .where({ id: payment.id })
          .update({ status: PAYMENT_STATUS.FAILED, failure_reason: PAYMENT_FAILURE.ORDER_CANCELLED, updated_at: trx.fn.now() });
      }
    },
  };
}
