import { defaultPayloadConverter } from '@temporalio/common';
import { msNumberToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { describeFailure, describeHistory, LOCAL_ACTIVITY_MARKER } from '../../support/temporal-history';

const T = temporal.api.enums.v1.EventType;
type Event = temporal.api.history.v1.IHistoryEvent;
const at = (s: number) => msNumberToTs(Date.UTC(2026, 10, 24, 10, 0, s));
const payloads = (...values: unknown[]) => ({ payloads: values.map((v) => defaultPayloadConverter.toPayload(v)) });
let nextId = 1;
const event = (eventType: number, second: number, attributes: Partial<Event>): Event => ({ eventId: nextId++ as unknown as Event['eventId'], eventType, eventTime: at(second), ...attributes });

describe('workflow history as a timeline', () => {
  it('tells the saga steps: start, local activities, signals with their outcome, updates, timers, search attributes, completion', () => {
    nextId = 1;
    const history: Event[] = [
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0, {
        workflowExecutionStartedEventAttributes: {
          workflowType: { name: 'orderSaga' },
          taskQueue: { name: 'petstore' },
          attempt: 1,
          input: payloads({ orderId: 'o-1', userId: 'alice', items: [{ petId: 'p', quantity: 1 }], paymentToken: 'tok_secret', requestHash: 'abc', deadlines: { inventoryMs: 1 } }),
        },
      }),
      event(T.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0, {}),
      event(T.EVENT_TYPE_WORKFLOW_TASK_STARTED, 0, {}),
      event(T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 0, {}),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, 1, {
        workflowExecutionUpdateAcceptedEventAttributes: { acceptedRequest: { input: { name: 'placed', args: payloads({ requestHash: 'abc' }) } } },
      }),
      event(T.EVENT_TYPE_MARKER_RECORDED, 1, {
        markerRecordedEventAttributes: { markerName: LOCAL_ACTIVITY_MARKER, details: { data: payloads({ activity_type: 'placeOrder', attempt: 1, backoff: null }) } },
      }),
      event(T.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, 1, {
        upsertWorkflowSearchAttributesEventAttributes: { searchAttributes: { indexedFields: { OrderStatus: defaultPayloadConverter.toPayload('AWAITING_INVENTORY') } } },
      }),
      event(T.EVENT_TYPE_TIMER_STARTED, 1, { timerStartedEventAttributes: { timerId: '1', startToFireTimeout: msNumberToTs(30_000) } }),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED, 1, {
        workflowExecutionUpdateCompletedEventAttributes: { acceptedEventId: 5 as unknown as null, outcome: { success: payloads({ orderId: 'o-1', status: 'AWAITING_INVENTORY' }) } },
      }),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, 2, {
        workflowExecutionSignaledEventAttributes: { signalName: 'inventoryResult', input: payloads({ eventId: 'e-1', outcome: 'REJECTED', reason: 'OUT_OF_STOCK' }) },
      }),
      event(T.EVENT_TYPE_TIMER_CANCELED, 2, { timerCanceledEventAttributes: { timerId: '1' } }),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 3, {
        workflowExecutionCompletedEventAttributes: { result: payloads({ orderId: 'o-1', status: 'CANCELLED', cancelReason: 'OUT_OF_STOCK', history: [] }) },
      }),
    ];
    const timeline = describeHistory(history);
    expect(timeline.map((e) => [e.what, e.detail])).toEqual([
      ['workflow started', 'orderSaga on task queue petstore: userId=alice items=[1]'],
      ['update placed accepted', ''],
      ['local activity placeOrder', 'completed'],
      ['search attributes upserted', 'OrderStatus=AWAITING_INVENTORY'],
      ['timer started', 'timer 1: fires after 30s unless the wait ends first'],
      ['update placed completed', 'AWAITING_INVENTORY'],
      ['signal inventoryResult', 'REJECTED: eventId=e-1 reason=OUT_OF_STOCK'],
      ['timer cancelled', 'timer 1 (30s): the wait ended before the deadline'],
      ['workflow completed', 'CANCELLED (OUT_OF_STOCK)'],
    ]);
    expect(timeline.every((e) => e.source === 'temporal')).toBe(true);
    expect(timeline[0]).toMatchObject({ time: '2026-11-24T10:00:00.000Z', ref: 'event 1' });
    expect(JSON.stringify(timeline)).not.toMatch(/tok_secret|requestHash/);
  });

  it('shows failures and retries: local activity attempts, activity retries, workflow task failures, a cancel the validator refused', () => {
    nextId = 1;
    const failure = { message: 'connection refused', applicationFailureInfo: { type: 'Error' }, cause: { message: 'ECONNREFUSED' } };
    const timeline = describeHistory([
      event(T.EVENT_TYPE_MARKER_RECORDED, 0, {
        markerRecordedEventAttributes: { markerName: LOCAL_ACTIVITY_MARKER, details: { data: payloads({ activity_type: 'confirmOrder', attempt: 4, backoff: { seconds: 2, nanos: 0 } }) }, failure },
      }),
      event(T.EVENT_TYPE_MARKER_RECORDED, 3, { markerRecordedEventAttributes: { markerName: LOCAL_ACTIVITY_MARKER, details: { data: payloads({ activity_type: 'confirmOrder', attempt: 5 }) } } }),
      event(T.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 4, { activityTaskScheduledEventAttributes: { activityType: { name: 'charge' } } }),
      event(T.EVENT_TYPE_ACTIVITY_TASK_STARTED, 5, { activityTaskStartedEventAttributes: { scheduledEventId: 3 as unknown as null, attempt: 2, lastFailure: { message: 'gateway down' } } }),
      event(T.EVENT_TYPE_ACTIVITY_TASK_FAILED, 6, { activityTaskFailedEventAttributes: { scheduledEventId: 3 as unknown as null, failure: { message: 'gateway down' }, retryState: temporal.api.enums.v1.RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED } }),
      event(T.EVENT_TYPE_WORKFLOW_TASK_FAILED, 7, {
        workflowTaskFailedEventAttributes: { cause: temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR, failure: { message: 'nondeterminism' } },
      }),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED, 8, {
        workflowExecutionUpdateRejectedEventAttributes: { rejectedRequest: { input: { name: 'cancel' } }, failure: { message: 'the order is already CONFIRMED', applicationFailureInfo: { type: 'CancelNotAllowed' } } },
      }),
      event(T.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED, 9, { workflowExecutionTerminatedEventAttributes: { reason: 'stuck', identity: 'ops' } }),
    ]);
    expect(timeline.map((e) => [e.what, e.detail])).toEqual([
      ['local activity confirmOrder failed', 'attempt 4: Error: connection refused ← caused by ECONNREFUSED; retrying after 2s'],
      ['local activity confirmOrder', 'completed on attempt 5'],
      ['activity charge scheduled', ''],
      ['activity charge retried', 'attempt 2 after: gateway down'],
      ['activity charge failed', 'gateway down (retry state: maximum attempts reached)'],
      ['workflow task failed', 'non deterministic error: nondeterminism'],
      ['update cancel rejected', 'CancelNotAllowed: the order is already CONFIRMED'],
      ['workflow terminated', 'stuck (by ops)'],
    ]);
  });

  it('describes a failure chain and an absent failure', () => {
    expect(describeFailure({ message: 'outer', cause: { message: 'inner', applicationFailureInfo: { type: 'DbError' } } })).toBe('outer ← caused by DbError: inner');
    expect(describeFailure(undefined)).toBe('unknown failure');
  });
});
