import {
  ApplicationFailure,
  condition,
  log,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { CANCEL_REASON, ORDER_STATUS, type CancelActor, type CancelReason, type OrderStatus } from '../domain/orders';
import { ORDER_STATUS_ATTRIBUTE } from '../domain/search-attributes';
import {
  cancelUpdate,
  DATABASE_STEP,
  inventoryResultSignal,
  paymentResultSignal,
  placedUpdate,
  SAGA_FAILURES,
  sagaStateQuery,
  type InventoryResult,
  type OrderSagaInput,
  type PaymentResult,
  placedState,
  type SagaState,
} from './definitions';

const { placeOrder, recordReservation, confirmOrder, cancelOrder } = proxyLocalActivities<OrderActivities>(DATABASE_STEP);

/** Statuses a customer may still cancel from: before any payment succeeded. */
const CUSTOMER_CANCELLABLE: readonly OrderStatus[] = [ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT];

/**
 * One order's saga: place → wait for Inventory → wait for Payment → confirm. Any rejection,
 * decline, deadline or cancel ends in cancelOrder, whose OrderCancelled event makes Inventory
 * restock and Payment refund exactly what they did for this order.
 */
export async function orderSaga(input: OrderSagaInput): Promise<SagaState> {
  const { orderId, userId, deadlines } = input;
  const state = placedState(orderId, userId);
  let placed = false;
  let inventory: InventoryResult | undefined;
  let payment: PaymentResult | undefined;
  let paymentSeen = 0;
  let paymentSucceeded = false;
  let cancelRequest: { actor: CancelActor; requestedBy: string } | undefined;
  const paymentEvents = new Set<string>();

  setHandler(sagaStateQuery, () => state);
  setHandler(
    placedUpdate,
    async () => {
      await condition(() => placed);
      return { orderId, status: ORDER_STATUS.AWAITING_INVENTORY };
    },
    {
      validator: ({ requestHash }) => {
        if (requestHash !== input.requestHash) {
          throw ApplicationFailure.nonRetryable('this Idempotency-Key was used with a different request', SAGA_FAILURES.idempotencyKeyReused);
        }
      },
    },
  );
  setHandler(inventoryResultSignal, (result) => {
    if (inventory) return log.info('duplicate or late inventory answer ignored', { orderId, eventId: result.eventId });
    inventory = result;
  });
  setHandler(paymentResultSignal, (result) => {
    // Several answers can come (a decline, then a retry that succeeds); each event counts once.
    if (paymentEvents.has(result.eventId) || paymentSucceeded) return log.info('duplicate or late payment answer ignored', { orderId, eventId: result.eventId });
    paymentEvents.add(result.eventId);
    payment = result;
    paymentSeen++;
    if (result.outcome === 'SUCCEEDED') paymentSucceeded = true;
  });
  setHandler(
    cancelUpdate,
    async (request) => {
      cancelRequest ??= request;
      await condition(() => state.status === ORDER_STATUS.CANCELLED || state.status === ORDER_STATUS.CONFIRMED);
      return state;
    },
    {
      validator: ({ actor }) => {
        if (state.status === ORDER_STATUS.CANCELLED || state.status === ORDER_STATUS.CONFIRMED) {
          throw ApplicationFailure.nonRetryable(`the order is already ${state.status}`, SAGA_FAILURES.cancelNotAllowed);
        }
        if (actor === 'customer' && (paymentSucceeded || !CUSTOMER_CANCELLABLE.includes(state.status))) {
          throw ApplicationFailure.nonRetryable('the payment has succeeded: ask support to cancel this order', SAGA_FAILURES.cancelNotAllowed);
        }
      },
    },
  );

  /** What the saga waits for and until when, for the query and the Temporal UI. */
  function describeWait(waitingFor: string | null, untilMs?: number, reason?: CancelReason): void {
    state.waitingFor = waitingFor;
    state.deadline = untilMs === undefined ? null : new Date(untilMs).toISOString();
    setCurrentDetails(
      waitingFor ? `**${state.status}**: waiting for ${waitingFor}${state.deadline ? ` until ${state.deadline}` : ''}` : `**${state.status}**${reason ? ` (${reason})` : ''}`,
    );
  }

  function enter(status: OrderStatus, waitingFor: string | null, deadlineMs?: number, reason?: CancelReason): void {
    state.status = status;
    state.history.push({ status, at: new Date().toISOString(), ...(reason ? { reason } : {}) });
    upsertSearchAttributes([{ key: ORDER_STATUS_ATTRIBUTE, value: status }]);
    describeWait(waitingFor, deadlineMs === undefined ? undefined : Date.now() + deadlineMs, reason);
  }

  async function cancel(reason: CancelReason): Promise<SagaState> {
    await cancelOrder({ orderId, reason, paymentId: state.paymentId });
    state.cancelReason = reason;
    enter(ORDER_STATUS.CANCELLED, null, undefined, reason);
    return state;
  }

  const cancelledBy = (request: { actor: CancelActor }): CancelReason =>
    request.actor === 'support' ? CANCEL_REASON.CANCELLED_BY_SUPPORT : CANCEL_REASON.CANCELLED_BY_CUSTOMER;

  // 1. Place: the order row and OrderPlaced, in one transaction.
  await placeOrder({ orderId, userId, items: input.items, paymentToken: input.paymentToken, requestHash: input.requestHash });
  placed = true;
  enter(ORDER_STATUS.AWAITING_INVENTORY, 'Inventory to reserve the pets', deadlines.inventoryMs);

  // 2. Inventory answers on the orders topic.
  const answered = await condition(() => inventory !== undefined || cancelRequest !== undefined, deadlines.inventoryMs);
  if (cancelRequest) return cancel(cancelledBy(cancelRequest));
  if (!answered || !inventory) return cancel(CANCEL_REASON.INVENTORY_TIMEOUT);
  if (inventory.outcome === 'REJECTED') return cancel(inventory.reason);
  await recordReservation({ orderId, items: inventory.items, totalCents: inventory.totalCents, currency: inventory.currency });
  state.totalCents = inventory.totalCents;
  state.currency = inventory.currency;
  enter(ORDER_STATUS.AWAITING_PAYMENT, 'the payment to succeed', deadlines.paymentMs);

  // 3. Payment answers on the payments topic; the customer may retry a decline within the retry window.
  const paymentDeadline = Date.now() + deadlines.paymentMs;
  let declinedAt: number | undefined;
  for (;;) {
    if (payment) state.paymentId = payment.paymentId;
    if (paymentSucceeded) break;
    if (cancelRequest) return cancel(cancelledBy(cancelRequest));
    if (payment?.outcome === 'FAILED') declinedAt ??= Date.now();
    const until = declinedAt === undefined ? paymentDeadline : Math.min(paymentDeadline, declinedAt + deadlines.paymentRetryWindowMs);
    if (Date.now() >= until) return cancel(declinedAt === undefined ? CANCEL_REASON.PAYMENT_TIMEOUT : CANCEL_REASON.PAYMENT_DECLINED);
    if (declinedAt !== undefined) describeWait('the customer to retry the declined payment', until);
    const seen = paymentSeen;
    await condition(() => paymentSeen !== seen || cancelRequest !== undefined, until - Date.now());
    if (paymentSeen !== seen && payment?.outcome === 'FAILED') declinedAt = Date.now();
  }

  // 4. Confirm; Notification tells the customer on OrderConfirmed.
  if (!cancelRequest) await confirmOrder({ orderId, paymentId: state.paymentId! });
  // A support cancel that came after the payment (only support may) still wins: the captured payment is refunded.
  if (cancelRequest) return cancel(cancelledBy(cancelRequest));
  enter(ORDER_STATUS.CONFIRMED, null);
  return state;
}
