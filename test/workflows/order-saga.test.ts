import { WithStartWorkflowOperation, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateStage, type WorkflowHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CANCEL_REASON, ORDER_STATUS, type OrderStatus } from '../../domain/orders';
import { COMPENSATION_ATTRIBUTE, CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../../domain/search-attributes';
import { waitFor } from '../../lib/wait';
import { ensureTestServer } from '../../stack/temporal-cli';
import { orderSaga } from '../../workflows';
import {
  cancelUpdate,
  compensationResultSignal,
  inventoryResultSignal,
  orderWorkflowId,
  paymentResultSignal,
  placedUpdate,
  SAGA_FAILURES,
  sagaStateQuery,
  type InventoryResult,
  type OrderSagaInput,
  type PaymentResult,
  type SagaDeadlines,
  type SagaState,
} from '../../workflows/definitions';
import { testConfig, unique } from '../helpers/config';
import { createFakeOrderActivities, type FakeOrderActivities } from '../helpers/saga-fakes';

const MINUTE = 60_000;
const DEADLINES: SagaDeadlines = { inventoryMs: 30_000, paymentMs: 15 * MINUTE, paymentRetryWindowMs: 0 };

const reserved = (eventId = 'inv-1', totalCents = 24_690): Extract<InventoryResult, { outcome: 'RESERVED' }> => ({
  eventId,
  outcome: 'RESERVED',
  items: [{ petId: 'pet-rex', quantity: 2, unitPriceCents: totalCents / 2 }],
  totalCents,
  currency: 'EUR',
});
const succeeded = (paymentId: string, eventId = 'pay-1', { amountCents = 24_690, currency = 'EUR' } = {}): PaymentResult => ({
  eventId,
  outcome: 'SUCCEEDED',
  paymentId,
  amountCents,
  currency,
});
const rejected = (eventId = 'inv-1'): InventoryResult => ({ eventId, outcome: 'REJECTED', reason: CANCEL_REASON.OUT_OF_STOCK });
const declined = (paymentId: string, eventId = 'pay-1'): PaymentResult => ({ eventId, outcome: 'FAILED', paymentId, reason: 'card declined' });
const statusesOf = (state: SagaState): OrderStatus[] => state.history.map((h) => h.status);
const atOf = (state: SagaState, status: OrderStatus): number => Date.parse(state.history.find((h) => h.status === status)!.at);

describe('order saga', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;
  let fakes: FakeOrderActivities;
  let taskQueue: string;
  let started: WorkflowHandle<typeof orderSaga>[];

  beforeAll(async () => {
    const path = await ensureTestServer(testConfig, (line) => process.stderr.write(`${line}\n`));
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    // The saga upserts OrderStatus at every step; like the real stack, the test server must know it first.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        [ORDER_STATUS_ATTRIBUTE, CUSTOMER_ID_ATTRIBUTE, COMPENSATION_ATTRIBUTE].map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
      ),
    });
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  }, 60_000);
  afterAll(async () => {
    await env?.teardown();
  });
  beforeEach(() => {
    fakes = createFakeOrderActivities();
    taskQueue = unique('order-saga');
    started = [];
  });
  afterEach(async () => {
    // A saga a failed test left running would keep timers on the shared test server.
    await Promise.all(started.map((handle) => handle.terminate('test over').catch(() => undefined)));
  });

  /** Runs `body` while a worker with this test's fake activities polls this test's task queue. */
  async function running<T>(body: () => Promise<T>): Promise<T> {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities: fakes.activities });
    return worker.runUntil(body);
  }

  /** The input POST /orders would hand the saga, with the default test deadlines. */
  function sagaInput(orderId: string, { deadlines = {}, paymentToken = 'tok_ok' }: { deadlines?: Partial<SagaDeadlines>; paymentToken?: string } = {}): OrderSagaInput {
    return {
      orderId,
      userId: 'customer-1',
      items: [{ petId: 'pet-rex', quantity: 2 }],
      paymentToken,
      requestHash: `hash-${orderId}`,
      deadlines: { ...DEADLINES, ...deadlines },
    };
  }

  /** Starts one saga on this test's task queue. */
  async function startSaga(
    options: { deadlines?: Partial<SagaDeadlines>; paymentToken?: string; workflowTaskTimeout?: Duration } = {},
  ): Promise<{ handle: WorkflowHandle<typeof orderSaga>; input: OrderSagaInput }> {
    const input = sagaInput(unique('order'), options);
    const handle = await env.client.workflow.start(orderSaga, {
      workflowId: orderWorkflowId(input.orderId),
      taskQueue,
      args: [input],
      workflowTaskTimeout: options.workflowTaskTimeout,
    });
    started.push(handle);
    return { handle, input };
  }

  /** Polls the state query (real, short delays: workflow time stays put) until the saga is in `status`. */
  async function untilStatus(handle: WorkflowHandle<typeof orderSaga>, status: OrderStatus, check: (s: SagaState) => boolean = () => true): Promise<SagaState> {
    let last: SagaState | undefined;
    return waitFor(
      `saga ${handle.workflowId} to be ${status}`,
      async () => {
        last = await handle.query(sagaStateQuery);
        return last.status === status && check(last) ? last : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 20, hint: () => `last state: ${JSON.stringify(last)}` },
    );
  }

  /** The payment id the saga gave Payment in OrderPlaced: every payment answer must carry it. */
  async function paymentIdOf(handle: WorkflowHandle<typeof orderSaga>): Promise<string> {
    return waitFor(`saga ${handle.workflowId} to name its payment`, async () => (await handle.query(sagaStateQuery)).expectedPaymentId ?? undefined, {
      timeoutMs: 10_000,
      intervalMs: 20,
    });
  }

  /** Answers the cancel's compensations as Inventory (and, given a payment id, Payment) would, once the saga has cancelled. */
  async function compensate(handle: WorkflowHandle<typeof orderSaga>, { refundOf }: { refundOf?: string } = {}): Promise<void> {
    await untilStatus(handle, ORDER_STATUS.CANCELLED);
    await handle.signal(compensationResultSignal, { eventId: 'rel-1', kind: 'RESTOCKED', items: [{ petId: 'pet-rex', quantity: 2 }] });
    if (refundOf) {
      await handle.signal(compensationResultSignal, { eventId: 'ref-1', kind: 'REFUNDED', paymentId: refundOf, amountCents: 24_690, currency: 'EUR', forCancellation: true });
    }
  }

  /** Takes a saga to a succeeded payment with confirmOrder held, so the test can act while the order is being confirmed. */
  async function paidWithConfirmHeld() {
    // A held local activity keeps the workflow task open. The worker heartbeats that task at 80 % of
    // the workflow task timeout; an update sent meanwhile reaches the workflow at one heartbeat and its
    // answer leaves at the next. 2 s (not the default 10 s) makes that about 3 s instead of 16 s, and
    // keeps the hold well inside the local activity's 10 s start-to-close timeout (no retried call).
    const saga = await startSaga({ workflowTaskTimeout: '2 seconds' });
    await saga.handle.signal(inventoryResultSignal, reserved());
    await untilStatus(saga.handle, ORDER_STATUS.AWAITING_PAYMENT);
    const confirm = fakes.hold('confirmOrder');
    const paymentId = await paymentIdOf(saga.handle);
    await saga.handle.signal(paymentResultSignal, succeeded(paymentId));
    await confirm.entered;
    return { ...saga, confirm, paymentId };
  }

  it('confirms a reserved and paid order, reporting each stage on the way', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();

      const awaitingInventory = await untilStatus(handle, ORDER_STATUS.AWAITING_INVENTORY);
      expect(awaitingInventory).toMatchObject({ orderId: input.orderId, userId: 'customer-1', cancelReason: null, totalCents: null, currency: null, paymentId: null });
      expect(awaitingInventory.waitingFor).toMatch(/Inventory/);
      expect(statusesOf(awaitingInventory)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY]);
      expect(Date.parse(awaitingInventory.deadline!) - atOf(awaitingInventory, ORDER_STATUS.AWAITING_INVENTORY)).toBe(DEADLINES.inventoryMs);

      await handle.signal(inventoryResultSignal, reserved());
      const awaitingPayment = await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      expect(awaitingPayment).toMatchObject({ totalCents: 24_690, currency: 'EUR', paymentId: null, cancelReason: null });
      expect(awaitingPayment.waitingFor).toMatch(/payment/);
      expect(Date.parse(awaitingPayment.deadline!) - atOf(awaitingPayment, ORDER_STATUS.AWAITING_PAYMENT)).toBe(DEADLINES.paymentMs);

      const paymentId = await paymentIdOf(handle);
      await handle.signal(paymentResultSignal, succeeded(paymentId));
      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CONFIRMED, cancelReason: null, totalCents: 24_690, currency: 'EUR', paymentId, waitingFor: null, deadline: null });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CONFIRMED]);
      expect(await handle.query(sagaStateQuery)).toEqual(final);

      expect(fakes.calls.map((c) => c.name)).toEqual(['placeOrder', 'recordReservation', 'confirmOrder']);
      expect(fakes.callsOf('placeOrder')).toEqual([{ orderId: input.orderId, userId: 'customer-1', items: input.items, paymentToken: 'tok_ok', requestHash: input.requestHash, paymentId }]);
      expect(fakes.callsOf('recordReservation')).toEqual([{ orderId: input.orderId, items: reserved().items, totalCents: 24_690, currency: 'EUR' }]);
      expect(fakes.callsOf('confirmOrder')).toEqual([{ orderId: input.orderId, paymentId }]);
    });
  });

  it('cancels for OUT_OF_STOCK when Inventory rejects, without recording a reservation', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await untilStatus(handle, ORDER_STATUS.AWAITING_INVENTORY);
      await handle.signal(inventoryResultSignal, rejected());

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.OUT_OF_STOCK, totalCents: null, paymentId: null });
      expect(final.history.map(({ status, reason }) => ({ status, reason }))).toEqual([
        { status: ORDER_STATUS.PLACED, reason: undefined },
        { status: ORDER_STATUS.AWAITING_INVENTORY, reason: undefined },
        { status: ORDER_STATUS.CANCELLED, reason: CANCEL_REASON.OUT_OF_STOCK },
      ]);
      expect(fakes.calls.map((c) => c.name)).toEqual(['placeOrder', 'cancelOrder']);
      // Nothing was reserved or paid: nothing to wait for.
      expect(final).toMatchObject({ compensation: 'done', compensationMissing: [] });
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.OUT_OF_STOCK, paymentId: null, compensation: 'done' }]);
    });
  });

  it('cancels a declined payment at once when there is no retry window', async () => {
    await running(async () => {
      const { handle, input } = await startSaga({ deadlines: { paymentRetryWindowMs: 0 } });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      await handle.signal(paymentResultSignal, declined(paymentId));
      await compensate(handle);

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.PAYMENT_DECLINED, paymentId, compensation: 'done' });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CANCELLED]);
      // No time passed: the cancel did not wait for any deadline.
      expect(atOf(final, ORDER_STATUS.CANCELLED) - atOf(final, ORDER_STATUS.AWAITING_PAYMENT)).toBeLessThan(MINUTE);
      expect(fakes.callsOf('confirmOrder')).toEqual([]);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.PAYMENT_DECLINED, paymentId, compensation: 'pending' }]);
    });
  });

  it('confirms when the customer retries a declined payment within the retry window', async () => {
    await running(async () => {
      const { handle, input } = await startSaga({ deadlines: { paymentRetryWindowMs: 10 * MINUTE } });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      await handle.signal(paymentResultSignal, declined(paymentId, 'pay-1'));
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT, (s) => s.paymentId === paymentId);

      await env.sleep(5 * MINUTE); // the customer takes five minutes to try another card
      expect((await handle.query(sagaStateQuery)).status).toBe(ORDER_STATUS.AWAITING_PAYMENT);
      await handle.signal(paymentResultSignal, succeeded(paymentId, 'pay-2'));

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CONFIRMED, cancelReason: null, paymentId });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CONFIRMED]);
      expect(atOf(final, ORDER_STATUS.CONFIRMED) - atOf(final, ORDER_STATUS.AWAITING_PAYMENT)).toBeGreaterThanOrEqual(5 * MINUTE);
      expect(fakes.callsOf('confirmOrder')).toEqual([{ orderId: input.orderId, paymentId }]);
      expect(fakes.callsOf('cancelOrder')).toEqual([]);
    });
  });

  it('reports, after a decline, the end of the retry window as the deadline it gives up at', async () => {
    await running(async () => {
      const { handle } = await startSaga({ deadlines: { paymentMs: 60 * MINUTE, paymentRetryWindowMs: 10 * MINUTE } });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      await handle.signal(paymentResultSignal, declined(paymentId));
      const afterDecline = await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT, (s) => s.paymentId === paymentId);

      await env.sleep(10 * MINUTE + 1_000);
      await compensate(handle);
      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.PAYMENT_DECLINED });
      const gaveUpAfter = atOf(final, ORDER_STATUS.CANCELLED) - atOf(final, ORDER_STATUS.AWAITING_PAYMENT);
      expect(gaveUpAfter).toBeGreaterThanOrEqual(10 * MINUTE);
      expect(gaveUpAfter).toBeLessThan(11 * MINUTE);
      // SagaState.deadline is "when the current wait gives up": after a decline, the end of the retry window.
      // Fails today: the payment loop narrows its wait to the window but leaves state.deadline at the payment deadline.
      expect(Math.abs(Date.parse(afterDecline.deadline!) - atOf(final, ORDER_STATUS.CANCELLED))).toBeLessThan(MINUTE);
    });
  });

  it('cancels for PAYMENT_TIMEOUT when no payment comes within 15 minutes, skipping them in well under a second', async () => {
    await running(async () => {
      const { handle, input } = await startSaga({ paymentToken: 'tok_pending', deadlines: { paymentMs: 15 * MINUTE } });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);

      const began = Date.now();
      await env.sleep(15 * MINUTE + 1_000);
      const wallMs = Date.now() - began;
      await compensate(handle);
      const final = await handle.result();

      expect(wallMs).toBeLessThan(1_000);
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.PAYMENT_TIMEOUT, paymentId: null, compensation: 'done' });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CANCELLED]);
      expect(atOf(final, ORDER_STATUS.CANCELLED) - atOf(final, ORDER_STATUS.AWAITING_PAYMENT)).toBeGreaterThanOrEqual(15 * MINUTE);
      expect(fakes.callsOf('placeOrder')[0]).toMatchObject({ paymentToken: 'tok_pending' });
      expect(fakes.callsOf('confirmOrder')).toEqual([]);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.PAYMENT_TIMEOUT, paymentId: null, compensation: 'pending' }]);
    });
  });

  it('cancels for INVENTORY_TIMEOUT when Inventory never answers', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await untilStatus(handle, ORDER_STATUS.AWAITING_INVENTORY);
      await env.sleep(DEADLINES.inventoryMs + 1_000);
      // Inventory may have reserved without the saga hearing of it: the saga asks it to release, and waits.
      expect(await untilStatus(handle, ORDER_STATUS.CANCELLED)).toMatchObject({ compensation: 'pending', compensationMissing: ['InventoryReleased'] });
      await compensate(handle);

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.INVENTORY_TIMEOUT, totalCents: null, compensation: 'done' });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.CANCELLED]);
      expect(atOf(final, ORDER_STATUS.CANCELLED) - atOf(final, ORDER_STATUS.AWAITING_INVENTORY)).toBeGreaterThanOrEqual(DEADLINES.inventoryMs);
      expect(fakes.calls.map((c) => c.name)).toEqual(['placeOrder', 'cancelOrder', 'recordCompensation']);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.INVENTORY_TIMEOUT, paymentId: null, compensation: 'pending' }]);
    });
  });

  it('lets the customer cancel while awaiting payment; the update answers with the cancelled state', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);

      const answered = await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'customer', requestedBy: 'customer-1' }] });
      expect(answered).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.CANCELLED_BY_CUSTOMER, compensation: 'pending' });
      await compensate(handle);

      const final = await handle.result();
      expect(final).toEqual({ ...answered, compensation: 'done', compensationMissing: [], waitingFor: null, deadline: null, compensationDeadline: null });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CANCELLED]);
      expect(fakes.callsOf('confirmOrder')).toEqual([]);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.CANCELLED_BY_CUSTOMER, paymentId: null, compensation: 'pending' }]);
    });
  });

  it('lets the customer cancel while awaiting inventory, before anything is reserved', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await untilStatus(handle, ORDER_STATUS.AWAITING_INVENTORY);

      const answered = await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'customer', requestedBy: 'customer-1' }] });
      expect(answered).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.CANCELLED_BY_CUSTOMER, totalCents: null });
      await compensate(handle);

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, compensation: 'done' });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.CANCELLED]);
      expect(fakes.calls.map((c) => c.name)).toEqual(['placeOrder', 'cancelOrder', 'recordCompensation']);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.CANCELLED_BY_CUSTOMER, paymentId: null, compensation: 'pending' }]);
    });
  });

  it('refuses a customer cancel once the payment succeeded (CancelNotAllowed) and confirms', async () => {
    await running(async () => {
      const { handle, input, confirm, paymentId } = await paidWithConfirmHeld();

      const refused = handle.executeUpdate(cancelUpdate, { args: [{ actor: 'customer', requestedBy: 'customer-1' }] });
      await expect(refused).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await expect(refused).rejects.toMatchObject({ cause: { type: SAGA_FAILURES.cancelNotAllowed } });
      confirm.release();

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CONFIRMED, cancelReason: null, paymentId });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CONFIRMED]);
      expect(fakes.callsOf('confirmOrder')).toEqual([{ orderId: input.orderId, paymentId }]);
      expect(fakes.callsOf('cancelOrder')).toEqual([]);
    });
  });

  it('lets support cancel after the payment succeeded: CANCELLED_BY_SUPPORT, with the paymentId to refund', async () => {
    await running(async () => {
      const { handle, input, confirm, paymentId } = await paidWithConfirmHeld();

      const update = await handle.startUpdate(cancelUpdate, { args: [{ actor: 'support', requestedBy: 'support-1' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      confirm.release();
      const answered = await update.result();
      // CANCELLED, with the restock and the refund asked for and not answered yet.
      expect(answered).toMatchObject({ status: ORDER_STATUS.CANCELLED, compensation: 'pending', compensationMissing: ['InventoryReleased', 'PaymentRefunded'] });
      await compensate(handle, { refundOf: paymentId });

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.CANCELLED_BY_SUPPORT, paymentId, compensation: 'done', compensationMissing: [] });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CANCELLED]);
      expect(fakes.calls.map((c) => c.name)).toEqual(['placeOrder', 'recordReservation', 'confirmOrder', 'cancelOrder', 'recordCompensation']);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.CANCELLED_BY_SUPPORT, paymentId, compensation: 'pending' }]);
      expect(fakes.callsOf('recordCompensation')).toEqual([{ orderId: input.orderId, compensation: 'done', missing: [] }]);
    });
  });

  it('ignores repeated and late answers: the first inventory and the first successful payment count', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await untilStatus(handle, ORDER_STATUS.AWAITING_INVENTORY);
      // Holding recordReservation keeps the saga running while the other answers queue up behind the first.
      const reservation = fakes.hold('recordReservation');
      const paymentId = await paymentIdOf(handle);
      await handle.signal(inventoryResultSignal, reserved('inv-1', 24_690));
      await reservation.entered;
      await handle.signal(inventoryResultSignal, reserved('inv-1', 24_690));
      await handle.signal(inventoryResultSignal, reserved('inv-2', 99_900));
      await handle.signal(inventoryResultSignal, rejected('inv-3'));
      await handle.signal(paymentResultSignal, succeeded(paymentId, 'pay-1'));
      await handle.signal(paymentResultSignal, succeeded(paymentId, 'pay-1'));
      await handle.signal(paymentResultSignal, declined(paymentId, 'pay-2'));
      reservation.release();

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CONFIRMED, cancelReason: null, totalCents: 24_690, paymentId });
      expect(statusesOf(final)).toEqual([ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CONFIRMED]);
      expect(fakes.callsOf('recordReservation')).toEqual([{ orderId: input.orderId, items: reserved().items, totalCents: 24_690, currency: 'EUR' }]);
      expect(fakes.callsOf('confirmOrder')).toEqual([{ orderId: input.orderId, paymentId }]);
      expect(fakes.callsOf('cancelOrder')).toEqual([]);

      // A payment answer after the saga ended has no saga to go to; the outcome stands. (Timestamps are
      // left out: while a local activity outlives a workflow task, a replay may read a later task time.)
      await expect(handle.signal(paymentResultSignal, declined(paymentId, 'pay-3'))).rejects.toBeInstanceOf(WorkflowNotFoundError);
      const after = await handle.query(sagaStateQuery);
      expect({ ...after, history: statusesOf(after) }).toEqual({ ...final, history: statusesOf(final) });
    });
  });

  it('counts a repeated decline once: it does not reopen the retry window', async () => {
    await running(async () => {
      const { handle, input } = await startSaga({ deadlines: { paymentMs: 60 * MINUTE, paymentRetryWindowMs: 10 * MINUTE } });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      await handle.signal(paymentResultSignal, declined(paymentId, 'pay-1'));
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT, (s) => s.paymentId === paymentId);
      await env.sleep(6 * MINUTE);
      await handle.signal(paymentResultSignal, declined(paymentId, 'pay-1')); // redelivered
      await env.sleep(5 * MINUTE);
      await compensate(handle);

      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.PAYMENT_DECLINED });
      // Counted twice, the window would have closed 16 minutes in.
      expect(atOf(final, ORDER_STATUS.CANCELLED) - atOf(final, ORDER_STATUS.AWAITING_PAYMENT)).toBeLessThan(11 * MINUTE);
      expect(fakes.callsOf('cancelOrder')).toEqual([{ orderId: input.orderId, reason: CANCEL_REASON.PAYMENT_DECLINED, paymentId, compensation: 'pending' }]);
    });
  });

  it('answers the placed update with update-with-start, and refuses a reused key with another request', async () => {
    await running(async () => {
      const orderId = unique('order');
      const input = sagaInput(orderId);
      const placeWith = (requestHash: string) =>
        env.client.workflow.executeUpdateWithStart(placedUpdate, {
          args: [{ requestHash }],
          startWorkflowOperation: new WithStartWorkflowOperation(orderSaga, {
            workflowId: orderWorkflowId(orderId),
            taskQueue,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });

      expect(await placeWith(input.requestHash)).toEqual({ orderId, status: ORDER_STATUS.AWAITING_INVENTORY });
      const handle = env.client.workflow.getHandle<typeof orderSaga>(orderWorkflowId(orderId));
      started.push(handle);
      // A retried request joins the running saga and gets the same answer.
      expect(await placeWith(input.requestHash)).toEqual({ orderId, status: ORDER_STATUS.AWAITING_INVENTORY });
      await expect(placeWith('another-request')).rejects.toMatchObject({ cause: { type: SAGA_FAILURES.idempotencyKeyReused } });
      await expect(handle.executeUpdate(placedUpdate, { args: [{ requestHash: 'another-request' }] })).rejects.toMatchObject({
        cause: { type: SAGA_FAILURES.idempotencyKeyReused },
      });
      expect(fakes.callsOf('placeOrder')).toHaveLength(1);

      await handle.signal(inventoryResultSignal, rejected());
      expect(await handle.result()).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.OUT_OF_STOCK });
    });
  });

  it('keeps the OrderStatus search attribute at the saga status, to the end', async () => {
    await running(async () => {
      const orderStatusOf = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(ORDER_STATUS_ATTRIBUTE);

      const confirmed = (await startSaga()).handle;
      await untilStatus(confirmed, ORDER_STATUS.AWAITING_INVENTORY);
      expect(await orderStatusOf(confirmed)).toBe(ORDER_STATUS.AWAITING_INVENTORY);
      await confirmed.signal(inventoryResultSignal, reserved());
      await untilStatus(confirmed, ORDER_STATUS.AWAITING_PAYMENT);
      expect(await orderStatusOf(confirmed)).toBe(ORDER_STATUS.AWAITING_PAYMENT);
      await confirmed.signal(paymentResultSignal, succeeded(await paymentIdOf(confirmed)));
      expect((await confirmed.result()).status).toBe(ORDER_STATUS.CONFIRMED);
      expect(await orderStatusOf(confirmed)).toBe(ORDER_STATUS.CONFIRMED);

      const cancelled = (await startSaga()).handle;
      await cancelled.signal(inventoryResultSignal, rejected());
      expect((await cancelled.result()).status).toBe(ORDER_STATUS.CANCELLED);
      expect(await orderStatusOf(cancelled)).toBe(ORDER_STATUS.CANCELLED);
    });
  });
  it.each([
    { mismatch: 'amount', answer: (id: string) => succeeded(id, 'pay-1', { amountCents: 24_689 }) },
    { mismatch: 'currency', answer: (id: string) => succeeded(id, 'pay-1', { currency: 'USD' }) },
    { mismatch: 'paymentId', answer: () => succeeded('someone-elses-payment') },
  ] as const)('does not confirm on a PaymentSucceeded whose $mismatch does not match: reported, cancelled, refunded', async ({ mismatch, answer }) => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      const sent = answer(paymentId) as Extract<PaymentResult, { outcome: 'SUCCEEDED' }>;
      await handle.signal(paymentResultSignal, sent);

      const cancelled = await untilStatus(handle, ORDER_STATUS.CANCELLED);
      expect(cancelled).toMatchObject({ cancelReason: CANCEL_REASON.PAYMENT_MISMATCH, paymentId: null, compensation: 'pending' });
      // The capture Payment claimed is refunded: the saga waits for that refund and the restock.
      expect(cancelled.compensationMissing).toEqual(['InventoryReleased', 'PaymentRefunded']);
      expect(cancelled.paymentMismatches).toEqual([
        {
          eventId: 'pay-1',
          fields: [mismatch],
          got: { paymentId: sent.paymentId, amountCents: sent.amountCents, currency: sent.currency },
          expected: { paymentId, amountCents: 24_690, currency: 'EUR' },
          at: expect.any(String),
        },
      ]);
      expect(fakes.callsOf('reportPaymentMismatch')).toEqual([
        { orderId: input.orderId, eventId: 'pay-1', fields: [mismatch], got: cancelled.paymentMismatches![0]!.got, expected: cancelled.paymentMismatches![0]!.expected },
      ]);
      expect(fakes.callsOf('confirmOrder')).toEqual([]);

      await compensate(handle, { refundOf: paymentId });
      expect(await handle.result()).toMatchObject({ status: ORDER_STATUS.CANCELLED, compensation: 'done' });
    });
  });

  it('reads CANCELLED with compensation pending until Inventory and Payment answered, then done; a refund it did not ask for changes nothing', async () => {
    await running(async () => {
      const compensationOf = async (handle: WorkflowHandle) => (await handle.describe()).typedSearchAttributes.get(COMPENSATION_ATTRIBUTE);
      const { handle, input, confirm, paymentId } = await paidWithConfirmHeld();
      const update = await handle.startUpdate(cancelUpdate, { args: [{ actor: 'support', requestedBy: 'support-1' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
      confirm.release();
      await update.result();
      expect(await compensationOf(handle)).toBe('pending');

      // A support refund outside the saga (a partial one, say) is not the cancel's refund.
      await handle.signal(compensationResultSignal, { eventId: 'ref-partial', kind: 'REFUNDED', paymentId, amountCents: 100, currency: 'EUR', forCancellation: false });
      await handle.signal(compensationResultSignal, { eventId: 'rel-1', kind: 'RESTOCKED', items: [{ petId: 'pet-rex', quantity: 2 }] });
      const halfway = await untilStatus(handle, ORDER_STATUS.CANCELLED, (s) => s.compensationMissing?.length === 1);
      expect(halfway).toMatchObject({ compensation: 'pending', compensationMissing: ['PaymentRefunded'] });
      expect(halfway.waitingFor).toMatch(/PaymentRefunded/);

      await handle.signal(compensationResultSignal, { eventId: 'ref-1', kind: 'REFUNDED', paymentId, amountCents: 24_690, currency: 'EUR', forCancellation: true });
      const final = await handle.result();
      expect(final).toMatchObject({ status: ORDER_STATUS.CANCELLED, compensation: 'done', compensationMissing: [], waitingFor: null });
      expect(await compensationOf(handle)).toBe('done');
      expect(fakes.callsOf('recordCompensation')).toEqual([{ orderId: input.orderId, compensation: 'done', missing: [] }]);
    });
  }, 30_000);

  it('reports the compensation stuck at its deadline with what is missing, and still closes when the answer comes late', async () => {
    await running(async () => {
      const { handle, input } = await startSaga();
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      await handle.signal(paymentResultSignal, declined(await paymentIdOf(handle)));
      const pending = await untilStatus(handle, ORDER_STATUS.CANCELLED);
      expect(pending).toMatchObject({ compensation: 'pending', compensationMissing: ['InventoryReleased'] });
      expect(Date.parse(pending.compensationDeadline!) - atOf(pending, ORDER_STATUS.CANCELLED)).toBe(10 * MINUTE);

      await env.sleep(10 * MINUTE + 1_000);
      const stuck = await untilStatus(handle, ORDER_STATUS.CANCELLED, (s) => s.compensation === 'stuck');
      expect(stuck).toMatchObject({ compensation: 'stuck', compensationMissing: ['InventoryReleased'], compensationDeadline: null });
      expect((await handle.describe()).typedSearchAttributes.get(COMPENSATION_ATTRIBUTE)).toBe('stuck');
      expect(fakes.callsOf('recordCompensation')).toEqual([{ orderId: input.orderId, compensation: 'stuck', missing: ['InventoryReleased'] }]);

      await compensate(handle);
      expect(await handle.result()).toMatchObject({ compensation: 'done', compensationMissing: [] });
      expect(fakes.callsOf('recordCompensation').map((c) => c.compensation)).toEqual(['stuck', 'done']);
    });
  });

  it('waits for the refund of a capture Payment reported after the cancel', async () => {
    await running(async () => {
      const { handle } = await startSaga({ paymentToken: 'tok_pending' });
      await handle.signal(inventoryResultSignal, reserved());
      await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
      const paymentId = await paymentIdOf(handle);
      await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'customer', requestedBy: 'customer-1' }] });
      // The capture crossed the OrderCancelled: Payment refunds it, and the saga now waits for that too.
      await handle.signal(paymentResultSignal, succeeded(paymentId, 'pay-late'));
      await handle.signal(compensationResultSignal, { eventId: 'rel-1', kind: 'RESTOCKED', items: [{ petId: 'pet-rex', quantity: 2 }] });
      expect(await untilStatus(handle, ORDER_STATUS.CANCELLED, (s) => s.compensationMissing?.length === 1)).toMatchObject({ compensationMissing: ['PaymentRefunded'] });
      await handle.signal(compensationResultSignal, { eventId: 'ref-1', kind: 'REFUNDED', paymentId, amountCents: 24_690, currency: 'EUR', forCancellation: true });
      expect(await handle.result()).toMatchObject({ status: ORDER_STATUS.CANCELLED, cancelReason: CANCEL_REASON.CANCELLED_BY_CUSTOMER, compensation: 'done' });
    });
  });
});
