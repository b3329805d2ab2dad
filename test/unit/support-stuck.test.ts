import { SupportInputError } from '../../support/errors';
import { checkStatus, findStuckOrders, isDeadlineExceeded, stuckQuery, type OpenSaga, type SagaSource } from '../../support/stuck';
import type { SagaState } from '../../workflows/definitions';

const NOW = new Date('2026-11-24T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

function saga(id: string, startedMinutesAgo: number, orderStatus = 'AWAITING_PAYMENT'): OpenSaga {
  return { workflowId: `order-${id}`, runId: `run-${id}`, startTime: minutesAgo(startedMinutesAgo), orderStatus, customerId: `customer-${id}` };
}

function state(id: string, status: SagaState['status'], enteredMinutesAgo: number): SagaState {
  return {
    orderId: id,
    userId: `customer-${id}`,
    status,
    cancelReason: null,
    waitingFor: status === 'AWAITING_PAYMENT' ? 'the payment to succeed' : 'Inventory to reserve the pets',
    deadline: '2026-11-24T12:10:00.000Z',
    totalCents: null,
    currency: null,
    paymentId: null,
    history: [
      { status: 'PLACED', at: minutesAgo(60).toISOString() },
      { status, at: minutesAgo(enteredMinutesAgo).toISOString() },
    ],
  };
}

function fakeSource(sagas: OpenSaga[], states: Record<string, SagaState | Error>): SagaSource & { queries: string[] } {
  const queries: string[] = [];
  return {
    queries,
    async *list(query) {
      queries.push(query);
      yield* sagas;
    },
    async state(s) {
      const found = states[s.workflowId];
      if (found instanceof Error) throw found;
      if (!found) throw new Error('no such saga');
      return found;
    },
  };
}

const link = (workflowId: string) => `http://ui/namespaces/default/workflows/${workflowId}`;

describe('stuck orders', () => {
  it('builds the visibility query, with the status when asked', () => {
    expect(stuckQuery({ taskQueue: 'petstore' })).toBe('WorkflowType="orderSaga" AND TaskQueue="petstore" AND ExecutionStatus="Running"');
    expect(stuckQuery({ taskQueue: 'petstore', status: 'AWAITING_PAYMENT' })).toBe('WorkflowType="orderSaga" AND TaskQueue="petstore" AND ExecutionStatus="Running" AND OrderStatus="AWAITING_PAYMENT"');
    // Two deployments may share a Temporal namespace: the task queue is what tells their sagas apart.
    expect(stuckQuery({ taskQueue: 'staging.petstore' })).toContain('TaskQueue="staging.petstore"');
    expect(stuckQuery({ taskQueue: 'odd"queue' })).toContain('TaskQueue="odd\\"queue"');
    expect(() => checkStatus('LOST')).toThrow(SupportInputError);
    expect(() => checkStatus('LOST')).toThrow(/choose from PLACED, AWAITING_INVENTORY, AWAITING_PAYMENT, CONFIRMED, CANCELLED/);
  });

  it('counts the wait from the last status change, keeps those over the threshold, longest first', async () => {
    const source = fakeSource([saga('a', 60), saga('b', 60), saga('c', 60)], {
      'order-a': state('a', 'AWAITING_PAYMENT', 12),
      'order-b': state('b', 'AWAITING_PAYMENT', 2), // placed an hour ago, but waiting for only 2 minutes
      'order-c': state('c', 'AWAITING_INVENTORY', 30),
    });
    const report = await findStuckOrders({ source, taskQueue: 'petstore', olderThanMs: 5 * 60_000, link, now: () => NOW });
    expect(report.orders.map((o) => [o.orderId, o.status, Math.round(o.waitingMs / 60_000)])).toEqual([
      ['c', 'AWAITING_INVENTORY', 30],
      ['a', 'AWAITING_PAYMENT', 12],
    ]);
    expect(report.orders[1]).toEqual({
      orderId: 'a',
      workflowId: 'order-a',
      runId: 'run-a',
      status: 'AWAITING_PAYMENT',
      waitingFor: 'the payment to succeed',
      since: minutesAgo(12).toISOString(),
      waitingMs: 12 * 60_000,
      deadline: '2026-11-24T12:10:00.000Z',
      customerId: 'customer-a',
      startedAt: minutesAgo(60).toISOString(),
      link: 'http://ui/namespaces/default/workflows/order-a',
      stateError: null,
    });
    expect(report).toMatchObject({ olderThanMs: 300_000, checkedAt: NOW.toISOString(), warnings: [] });
  });

  it('lists every open saga with 0s', async () => {
    const source = fakeSource([saga('a', 0)], { 'order-a': state('a', 'AWAITING_INVENTORY', 0) });
    expect((await findStuckOrders({ source, taskQueue: 'petstore', olderThanMs: 0, link, now: () => NOW })).orders).toHaveLength(1);
  });

  it('falls back to the start time and visibility status when the state query fails, and says so', async () => {
    const source = fakeSource([saga('a', 20), saga('b', 20)], { 'order-a': new Error('no answer in 5 s: is a worker polling the task queue?'), 'order-b': state('b', 'AWAITING_PAYMENT', 10) });
    const report = await findStuckOrders({ source, taskQueue: 'petstore', olderThanMs: 60_000, link, now: () => NOW });
    expect(report.orders.map((o) => [o.orderId, o.since, o.status, o.waitingFor, o.stateError])).toEqual([
      ['a', minutesAgo(20).toISOString(), 'AWAITING_PAYMENT', null, 'no answer in 5 s: is a worker polling the task queue?'],
      ['b', minutesAgo(10).toISOString(), 'AWAITING_PAYMENT', 'the payment to succeed', null],
    ]);
    expect(report.warnings).toEqual([expect.stringMatching(/state query failed for 1 of 2 saga\(s\) \(no answer in 5 s.*counted from the workflow start/)]);
  });

  it('passes the status to visibility and drops sagas that have moved on since', async () => {
    const source = fakeSource([saga('a', 30), saga('b', 30)], { 'order-a': state('a', 'AWAITING_PAYMENT', 20), 'order-b': state('b', 'CONFIRMED', 20) });
    const report = await findStuckOrders({ source, taskQueue: 'petstore', olderThanMs: 0, status: 'AWAITING_PAYMENT', link, now: () => NOW });
    expect(source.queries).toEqual(['WorkflowType="orderSaga" AND TaskQueue="petstore" AND ExecutionStatus="Running" AND OrderStatus="AWAITING_PAYMENT"']);
    expect(report.orders.map((o) => o.orderId)).toEqual(['a']);
  });
});

describe('a state query that ran out of time', () => {
  it('is recognised through the client\'s wrapping, whether gRPC says DEADLINE_EXCEEDED or CANCELLED', () => {
    const wrapped = (code: number) => Object.assign(new Error('Failed to query Workflow'), { cause: Object.assign(new Error('grpc'), { code }) });
    expect(isDeadlineExceeded(wrapped(4))).toBe(true);
    expect(isDeadlineExceeded(wrapped(1))).toBe(true);
    expect(isDeadlineExceeded(wrapped(5))).toBe(false);
    expect(isDeadlineExceeded(new Error('query failed'))).toBe(false);
  });
});
