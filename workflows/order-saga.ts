import {
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  uuid4,
} from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { CANCEL_REASON, COMPENSATION_STATUS, ORDER_STATUS, type CancelActor, type CancelReason, type CompensationStatus, type OrderStatus } from '../domain/orders';
import { COMPENSATION_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../domain/search-attributes';
import {
  cancelUpdate,
  DATABASE_STEP,
  compensationResultSignal,
  inventoryResultSignal,
  paymentResultSignal,
  placedUpdate,
  SAGA_FAILURES,
  sagaStateQuery,
  type InventoryResult,
  type OrderSagaInput,
  type CompensationStep,
  type PaymentMismatch,
  type PaymentResult,
  placedState,
  type SagaState,
} from './definitions';

/**
 * How long Inventory and Payment get to answer the compensations a cancel asked for (InventoryReleased,
 * PaymentRefunded) before the saga reports them stuck; it keeps waiting after that, so a late answer
 * (a dead letter replayed, say) still closes the order.
 */
const COMPENSATION = { deadlineMs: 10 * 60_000 } as const;

/**
 * Changes to the saga's commands, each behind patched() so that sagas started by older code replay down
 * their old path (README: "Changing the saga").
 */
const PATCHES = {
  /** The saga picks the payment's id and hands it to Payment in OrderPlaced, so it can check every payment answer against it. */
  paymentId: 'saga-picks-payment-id',
  /** A PaymentSucceeded that does not match the order is reported (a local activity) and cancels it instead of confirming. */
  paymentCheck: 'payment-check',
  /** After a cancel the saga waits for the InventoryReleased and PaymentRefunded it asked for and keeps Compensation current. */
  compensationWait: 'compensation-wait',
} as const;

const { placeOrder, recordReservation, confirmOrder, cancelOrder, recordCompensation, reportPaymentMismatch } =
  proxyLocalActivities<OrderActivities>(DATABASE_STEP);

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
  const compensationEvents = new Set<string>();
  /** What the cancel asked Inventory and Payment to undo, and which of them answered: the compensation waits' named state. */
  const compensation = { tracking: false, restockAsked: false, refundAsked: false, restocked: false, refunded: false };
  const missingCompensations = (): CompensationStep[] => [
    ...(compensation.restockAsked && !compensation.restocked ? (['InventoryReleased'] as const) : []),
    ...(compensation.refundAsked && !compensation.refunded ? (['PaymentRefunded'] as const) : []),
  ];

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
    // A capture reported after the cancel (it crossed the OrderCancelled) is refunded by Payment: wait for that too.
    if (compensation.tracking && result.outcome === 'SUCCEEDED' && !paymentEvents.has(result.eventId)) {
      paymentEvents.add(result.eventId);
      compensation.refundAsked = true;
      refreshCompensation();
      return log.info('payment captured after the cancel: waiting for its refund', { orderId, eventId: result.eventId });
    }
    // Several answers can come (a decline, then a retry that succeeds); each event counts once.
    if (paymentEvents.has(result.eventId) || paymentSucceeded) return log.info('duplicate or late payment answer ignored', { orderId, eventId: result.eventId });
    paymentEvents.add(result.eventId);
    payment = result;
    paymentSeen++;
    if (result.outcome === 'SUCCEEDED') paymentSucceeded = true;
  });
  setHandler(compensationResultSignal, (result) => {
    if (compensationEvents.has(result.eventId)) return log.info('duplicate compensation answer ignored', { orderId, eventId: result.eventId });
    compensationEvents.add(result.eventId);
    if (result.kind === 'RESTOCKED') compensation.restocked = true;
    // Only the refund of the cancel counts: a refund support made on its own (a partial one, say) is not it.
    else if (result.forCancellation) compensation.refunded = true;
    else log.info('a refund the saga did not ask for ignored', { orderId, eventId: result.eventId, paymentId: result.paymentId });
    refreshCompensation();
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
    upsertSearchAttributes([
      { key: ORDER_STATUS_ATTRIBUTE, value: status },
      ...(state.compensation ? [{ key: COMPENSATION_ATTRIBUTE, value: state.compensation }] : []),
    ]);
    describeWait(waitingFor, deadlineMs === undefined ? undefined : Date.now() + deadlineMs, reason);
  }

  /** The compensation's status in the query, the Temporal UI's details and (unless `enter` just did) the search attribute. */
  function showCompensation(status: CompensationStatus, untilMs: number | null, upsert = true): void {
    state.compensation = status;
    state.compensationMissing = missingCompensations();
    state.compensationDeadline = untilMs === null ? null : new Date(untilMs).toISOString();
    if (upsert) upsertSearchAttributes([{ key: COMPENSATION_ATTRIBUTE, value: status }]);
    const missing = state.compensationMissing.join(' and ');
    if (status === COMPENSATION_STATUS.DONE) describeWait(null, undefined, state.cancelReason ?? undefined);
    else describeWait(`${missing} (compensation ${status})`, untilMs ?? undefined);
  }

  /** An answer came while the saga waits: the query and the details show what is still missing at once. */
  function refreshCompensation(): void {
    if (state.compensation !== COMPENSATION_STATUS.PENDING && state.compensation !== COMPENSATION_STATUS.STUCK) return;
    state.compensationMissing = missingCompensations();
    if (state.compensationMissing.length === 0) return;
    describeWait(`${state.compensationMissing.join(' and ')} (compensation ${state.compensation})`, state.compensationDeadline ? Date.parse(state.compensationDeadline) : undefined);
  }

  /** Waits on named state for what the cancel asked for; past the deadline it reports them stuck and waits on. */
  async function awaitCompensations(): Promise<SagaState> {
    const compensated = () => missingCompensations().length === 0;
    if (compensated()) return state;
    const until = Date.now() + COMPENSATION.deadlineMs;
    showCompensation(COMPENSATION_STATUS.PENDING, until, false);
    if (!(await condition(compensated, COMPENSATION.deadlineMs))) {
      showCompensation(COMPENSATION_STATUS.STUCK, null);
      await recordCompensation({ orderId, compensation: COMPENSATION_STATUS.STUCK, missing: missingCompensations() });
      log.warn('compensation stuck: an answer the saga asked for has not come', { orderId, missing: missingCompensations() });
      await condition(compensated);
    }
    showCompensation(COMPENSATION_STATUS.DONE, null);
    await recordCompensation({ orderId, compensation: COMPENSATION_STATUS.DONE, missing: [] });
    return state;
  }

  async function cancel(reason: CancelReason): Promise<SagaState> {
    compensation.tracking = patched(PATCHES.compensationWait);
    if (!compensation.tracking) {
      await cancelOrder({ orderId, reason, paymentId: state.paymentId });
      state.cancelReason = reason;
      enter(ORDER_STATUS.CANCELLED, null, undefined, reason);
      return state;
    }
    // Inventory holds nothing after a rejection; anything else (reserved, or no answer yet) it must release.
    compensation.restockAsked = inventory?.outcome !== 'REJECTED';
    // A capture Payment reported, matching or not, is refunded; a decline or no answer left nothing to refund.
    compensation.refundAsked = paymentSucceeded || (state.paymentMismatches?.length ?? 0) > 0;
    const initial = missingCompensations().length ? COMPENSATION_STATUS.PENDING : COMPENSATION_STATUS.DONE;
    await cancelOrder({ orderId, reason, paymentId: state.paymentId, compensation: initial });
    state.cancelReason = reason;
    state.compensation = initial;
    state.compensationMissing = missingCompensations();
    enter(ORDER_STATUS.CANCELLED, null, undefined, reason);
    return awaitCompensations();
  }

  /** What a PaymentSucceeded says that the order does not: the total and currency Inventory reserved at, the payment's id. */
  function mismatchOf(result: Extract<PaymentResult, { outcome: 'SUCCEEDED' }>): PaymentMismatch['fields'] {
    const fields: PaymentMismatch['fields'] = [];
    if (state.totalCents !== null && result.amountCents !== state.totalCents) fields.push('amount');
    // An answer without a currency comes from an Order consumer older than this check: nothing to compare.
    if (result.currency !== undefined && result.currency !== state.currency) fields.push('currency');
    if (expectedPaymentId !== null && result.paymentId !== expectedPaymentId) fields.push('paymentId');
    return fields;
  }

  const cancelledBy = (request: { actor: CancelActor }): CancelReason =>
    request.actor === 'support' ? CANCEL_REASON.CANCELLED_BY_SUPPORT : CANCEL_REASON.CANCELLED_BY_CUSTOMER;

  // 1. Place: the order row and OrderPlaced, in one transaction. Payment opens the payment under the id the
  // saga picks (older sagas learn it from the first payment answer).
  let expectedPaymentId: string | null = patched(PATCHES.paymentId) ? uuid4() : null;
  state.expectedPaymentId = expectedPaymentId;
  await placeOrder({
    orderId,
    userId,
    items: input.items,
    paymentToken: input.paymentToken,
    requestHash: input.requestHash,
    ...(expectedPaymentId ? { paymentId: expectedPaymentId } : {}),
  });
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
    if (paymentSucceeded && payment?.outcome === 'SUCCEEDED') {
      const fields = mismatchOf(payment);
      if (fields.length === 0 || !patched(PATCHES.paymentCheck)) {
        state.paymentId = payment.paymentId;
        break;
      }
      // Not a success: a failure to investigate. It is on record in the query, the log and a metric; the
      // order is cancelled and whatever Payment captured is refunded.
      const mismatch: PaymentMismatch = {
        eventId: payment.eventId,
        fields,
        got: { paymentId: payment.paymentId, amountCents: payment.amountCents, currency: payment.currency ?? null },
        expected: { paymentId: expectedPaymentId, amountCents: state.totalCents, currency: state.currency },
        at: new Date().toISOString(),
      };
      state.paymentMismatches = [...(state.paymentMismatches ?? []), mismatch];
      log.warn('PaymentSucceeded does not match the order: not confirmed', { orderId, eventId: payment.eventId, fields });
      await reportPaymentMismatch({ orderId, eventId: mismatch.eventId, fields, got: mismatch.got, expected: mismatch.expected });
      paymentSucceeded = false;
      return cancel(CANCEL_REASON.PAYMENT_MISMATCH);
    }
    if (payment) {
      state.paymentId = payment.paymentId;
      expectedPaymentId ??= payment.paymentId;
    }
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
