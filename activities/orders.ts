import type { Knex } from 'knex';
import { ORDER_STATUS, orderWorkflowId, type CancelReason, type CompensationStatus, type PricedItem, type RequestedItem } from '../domain/orders';
import { newEvent } from '../kafka/envelope';
import { writeEvents } from '../kafka/outbox';
import type { KeyRing } from '../lib/keyring';
import type { Logger } from '../lib/logger';
import { sealedPaymentToken } from '../lib/payment-token';
import type { Metrics } from '../lib/metrics';
import { stepColumns, stepsOfUpdate, type StepColumns, type StepEnded } from './saga-steps';

const S = 'orders';
const SOURCE = 'orders';

/**
 * The Order service's saga steps. Each writes its state change and its event in one transaction, and is
 * idempotent: Temporal may run it again. With metrics, each step that changed the order is timed from the
 * columns its update returns (no query of its own).
 */
export function createOrderActivities({ db, metrics, logger, paymentTokenKeys }: { db: Knex; metrics?: Metrics; logger?: Logger; paymentTokenKeys: KeyRing }) {
  const transition = (trx: Knex.Transaction, orderId: string, status: string, reason?: string) =>
    trx.withSchema(S).table('order_transitions').insert({ order_id: orderId, status, reason: reason ?? null });
  const orderLogger = (orderId: string) => logger?.child({ orderId, workflowId: orderWorkflowId(orderId) });

  // Observed after the commit: a rolled-back step was not a step.
  const observe = (steps: StepEnded[]) => {
    for (const { step, outcome, seconds } of steps) metrics?.sagaStepDuration.observe({ step, outcome }, seconds);
  };

  return {
    /**
     * Writes the order (AWAITING_INVENTORY) and OrderPlaced. A second run finds the row and does nothing. The token comes
     * sealed for Payment; one in clear (a saga started before sealing) is sealed here, so no event carries it readable.
     */
    async placeOrder(input: { orderId: string; userId: string; items: RequestedItem[]; paymentToken: string; requestHash: string; paymentId?: string }): Promise<void> {
      const written = await db.transaction(async (trx) => {
        const inserted = await trx
          .withSchema(S)
          .table('orders')
          .insert({ id: input.orderId, user_id: input.userId, status: ORDER_STATUS.AWAITING_INVENTORY, request_hash: input.requestHash })
          .onConflict('id')
          .ignore()
          .returning('id');
        if (inserted.length === 0) return false;
        await trx
          .withSchema(S)
          .table('order_items')
          .insert(input.items.map((item) => ({ order_id: input.orderId, pet_id: item.petId, quantity: item.quantity })));
        await trx
          .withSchema(S)
          .table('order_transitions')
          .insert([
            { order_id: input.orderId, status: ORDER_STATUS.PLACED },
            { order_id: input.orderId, status: ORDER_STATUS.AWAITING_INVENTORY },
          ]);
        await writeEvents(trx, S, [
          newEvent('OrderPlaced', {
            source: SOURCE,
            orderId: input.orderId,
            data: {
              userId: input.userId,
              items: input.items,
              paymentToken: sealedPaymentToken(paymentTokenKeys, input.orderId, input.paymentToken),
              ...(input.paymentId ? { paymentId: input.paymentId } : {}),
            },
          }),
        ]);
        return true;
      });
      if (written) orderLogger(input.orderId)?.debug({ userId: input.userId, items: input.items.length }, 'order written; waiting for Inventory');
    },

    /** Records the prices Inventory captured and moves the order to AWAITING_PAYMENT. */
    async recordReservation(input: { orderId: string; items: PricedItem[]; totalCents: number; currency: string }): Promise<void> {
      const steps = await db.transaction(async (trx) => {
        const updated = await trx
          .withSchema(S)
          .table('orders')
          .where({ id: input.orderId, status: ORDER_STATUS.AWAITING_INVENTORY })
          .update({ status: ORDER_STATUS.AWAITING_PAYMENT, total_cents: input.totalCents, currency: input.currency, updated_at: trx.fn.now() })
          .returning(stepColumns(trx));
        if (updated.length === 0) return undefined;
        // Every item's price in one statement, whatever the number of items.
        await trx.raw(
          'update orders.order_items as i set unit_price_cents = v.price from unnest(?::uuid[], ?::int[]) as v(pet_id, price) where i.order_id = ? and i.pet_id = v.pet_id',
          [input.items.map((i) => i.petId), input.items.map((i) => i.unitPriceCents), input.orderId],
        );
        await transition(trx, input.orderId, ORDER_STATUS.AWAITING_PAYMENT);
        return stepsOfUpdate(updated[0] as StepColumns, ORDER_STATUS.AWAITING_PAYMENT);
      });
      if (!steps) return;
      observe(steps);
      orderLogger(input.orderId)?.debug({ totalCents: input.totalCents, currency: input.currency }, 'pets reserved; waiting for the payment');
    },

    /** Confirms the paid order and emits OrderConfirmed (Notification tells the customer). */
    async confirmOrder(input: { orderId: string; paymentId: string }): Promise<void> {
      const steps = await db.transaction(async (trx) => {
        const [order] = await trx
          .withSchema(S)
          .table('orders')
          .where({ id: input.orderId, status: ORDER_STATUS.AWAITING_PAYMENT })
          .update({ status: ORDER_STATUS.CONFIRMED, payment_id: input.paymentId, updated_at: trx.fn.now() })
          .returning(['user_id', 'total_cents', 'currency', ...stepColumns(trx)]);
        if (!order) return undefined;
        await transition(trx, input.orderId, ORDER_STATUS.CONFIRMED);
        await writeEvents(trx, S, [
          newEvent('OrderConfirmed', {
            source: SOURCE,
            orderId: input.orderId,
            data: { userId: order.user_id, totalCents: Number(order.total_cents), currency: order.currency },
          }),
        ]);
        return stepsOfUpdate(order as StepColumns, ORDER_STATUS.CONFIRMED);
      });
      if (!steps) return;
      observe(steps);
      orderLogger(input.orderId)?.info({ paymentId: input.paymentId }, 'order confirmed');
    },

    /**
     * Cancels the order with a reason and emits OrderCancelled, the one compensation event:
     * Inventory restocks what it reserved and Payment refunds what it captured, each once.
     */
    async cancelOrder(input: { orderId: string; reason: CancelReason; paymentId?: string | null; compensation?: CompensationStatus }): Promise<void> {
      const cancelled = await cancelOrderRow(db, input);
      if (!cancelled) return;
      metrics?.cancellations.inc({ reason: input.reason });
      observe(cancelled.steps);
      orderLogger(input.orderId)?.info({ reason: input.reason }, 'order cancelled; Inventory restocks and Payment refunds what they did for it');
    },

    /** Records where the cancelled order's compensations are (done, or stuck with what is missing), for GET /orders/:id. */
    async recordCompensation(input: { orderId: string; compensation: CompensationStatus; missing: string[] }): Promise<void> {
      const updated = await db
        .withSchema(S)
        .table('orders')
        .where({ id: input.orderId, status: ORDER_STATUS.CANCELLED })
        .whereRaw('compensation is distinct from ?', [input.compensation])
        .update({ compensation: input.compensation, updated_at: db.fn.now() });
      if (updated === 0) return;
      metrics?.compensations.inc({ outcome: input.compensation });
      const log = orderLogger(input.orderId);
      if (input.compensation === 'stuck') log?.warn({ missing: input.missing }, 'compensation stuck: an answer the saga asked for has not come; see petstore orders stuck');
      else log?.info({ compensation: input.compensation }, 'compensation answered: stock restocked and money refunded as asked');
    },

    /** A PaymentSucceeded that did not match the order: logged and counted for support; the saga does not confirm on it. */
    async reportPaymentMismatch(input: {
      orderId: string;
      eventId: string;
      fields: string[];
      got: { paymentId: string; amountCents: number; currency: string | null };
      expected: { paymentId: string | null; amountCents: number | null; currency: string | null };
    }): Promise<void> {
      for (const field of input.fields) metrics?.paymentMismatches.inc({ field });
      orderLogger(input.orderId)?.warn(
        { eventId: input.eventId, fields: input.fields, got: input.got, expected: input.expected },
        'PaymentSucceeded does not match the order: not confirmed; investigate (petstore orders explain)',
      );
    },
  };
}

/** The activities' type, for proxyActivities in the workflow. */
export type OrderActivities = ReturnType<typeof createOrderActivities>;

/**
 * Cancels an order that is not cancelled yet, with its OrderCancelled event; a no-op when it already is.
 * `alsoInTransaction` runs only when the order was cancelled, in the same transaction (a support cancel's audit entry).
 * Returns undefined when it changed nothing, else the saga steps the cancel ended (for the step metrics).
 */
export async function cancelOrderRow(
  db: Knex,
  input: { orderId: string; reason: CancelReason; paymentId?: string | null; compensation?: CompensationStatus },
  alsoInTransaction?: (trx: Knex.Transaction) => Promise<void>,
): Promise<{ steps: StepEnded[] } | undefined> {
  return db.transaction(async (trx) => {
    const [order] = await trx
      .withSchema(S)
      .table('orders')
      .where({ id: input.orderId })
      .whereNot({ status: ORDER_STATUS.CANCELLED })
      .update({
        status: ORDER_STATUS.CANCELLED,
        cancel_reason: input.reason,
        updated_at: trx.fn.now(),
        ...(input.paymentId ? { payment_id: input.paymentId } : {}),
        ...(input.compensation ? { compensation: input.compensation } : {}),
      })
      .returning(['user_id', ...stepColumns(trx)]);
    if (!order) return undefined;
    await trx.withSchema(S).table('order_transitions').insert({ order_id: input.orderId, status: ORDER_STATUS.CANCELLED, reason: input.reason });
    await writeEvents(trx, S, [newEvent('OrderCancelled', { source: SOURCE, orderId: input.orderId, data: { userId: order.user_id, reason: input.reason } })]);
    await alsoInTransaction?.(trx);
    return { steps: stepsOfUpdate(order as StepColumns, ORDER_STATUS.CANCELLED, input.reason) };
  });
}
