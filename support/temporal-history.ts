// A workflow history, told as timeline entries: what the saga did (local activities, timers,
// search attributes, completion) and what was done to it (signals, updates), with failures and retries.
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { formatDuration } from '../lib/duration';
import { summarize, type TimelineEntry } from './timeline';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads;
type Failure = temporal.api.failure.v1.IFailure;
/** A protobuf Duration (or Timestamp): seconds and nanos. */
type ProtoDuration = Parameters<typeof optionalTsToMs>[0];

const EventType = temporal.api.enums.v1.EventType;

/** The marker name the TypeScript SDK (sdk-core) records a local activity's outcome under. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** Fields never worth showing (hashes; the order id and status history explain already shows) or not to be shown (payment tokens). */
const OMIT = ['requestHash', 'paymentToken', 'orderId', 'history'] as const;

/** Workflow-task bookkeeping: how Temporal runs the workflow, not what the order went through. */
const BOOKKEEPING = new Set<number>([EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED]);

/** Decodes payloads with the default converter; one that cannot be decoded is shown as such rather than dropped. */
export function decodePayloads(payloads: Payloads | null | undefined): unknown[] {
  return (payloads?.payloads ?? []).map((payload) => {
    try {
      return defaultPayloadConverter.fromPayload(payload);
    } catch (error) {
      return `<undecodable payload: ${(error as Error).message}>`;
    }
  });
}

/** A failure in one line: type, message and the chain of causes. */
export function describeFailure(failure: Failure | null | undefined): string {
  const parts: string[] = [];
  for (let f = failure; f; f = f.cause) {
    const type = f.applicationFailureInfo?.type ?? (f.timeoutFailureInfo ? `timeout (${timeoutName(f.timeoutFailureInfo.timeoutType)})` : undefined);
    parts.push(`${type ? `${type}: ` : ''}${f.message ?? ''}`.trim());
  }
  return parts.filter(Boolean).join(' ← caused by ') || 'unknown failure';
}

const timeoutName = (type: number | null | undefined): string => (temporal.api.enums.v1.TimeoutType[type ?? 0] ?? 'unknown').replace(/^TIMEOUT_TYPE_/, '').toLowerCase();
const retryStateName = (state: number | null | undefined): string =>
  (temporal.api.enums.v1.RetryState[state ?? 0] ?? 'unknown').replace(/^RETRY_STATE_/, '').toLowerCase().replace(/_/g, ' ');
const durationText = (duration: ProtoDuration): string => {
  const ms = optionalTsToMs(duration);
  return ms === undefined ? '?' : formatDuration(ms);
};
const eventName = (type: number | null | undefined): string =>
  (EventType[type ?? 0] ?? `event ${type}`).replace(/^EVENT_TYPE_/, '').toLowerCase().replace(/_/g, ' ');

/** What the local-activity marker's `data` payload holds (sdk-core writes it in snake_case). */
interface LocalActivityMarkerData {
  activity_type?: string;
  activity_id?: string;
  attempt?: number;
  backoff?: { seconds?: number; nanos?: number } | null;
}

/** Describes the saga's answer-carrying payloads: outcome first, then the rest. */
function describeValue(value: unknown): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const { outcome, status, ...rest } = value as Record<string, unknown>;
    const head = [outcome, status].filter((v) => typeof v === 'string').join(' ');
    const tail = summarize(rest, { omit: OMIT });
    return [head, tail].filter(Boolean).join(': ');
  }
  return summarize(value, { omit: OMIT });
}

/**
 * Turns a workflow history into timeline entries, in history order. Workflow-task bookkeeping is
 * left out, except when a workflow task fails or times out (the usual reason a saga is stuck).
 */
export function describeHistory(events: HistoryEvent[]): TimelineEntry[] {
  const activityTypes = new Map<string, string>();
  const timers = new Map<string, string>();
  const updates = new Map<string, string>();
  const entries: TimelineEntry[] = [];

  for (const event of events) {
    const type = event.eventType ?? 0;
    if (BOOKKEEPING.has(type)) continue;
    const ms = optionalTsToMs(event.eventTime);
    const id = String(event.eventId ?? '');
    const add = (what: string, detail = '') => entries.push({ time: ms === undefined ? '' : new Date(ms).toISOString(), source: 'temporal', what, detail, ref: `event ${id}` });

    switch (type) {
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
        const a = event.workflowExecutionStartedEventAttributes!;
        const [input] = decodePayloads(a.input);
        const attempt = (a.attempt ?? 1) > 1 ? `, attempt ${a.attempt}` : '';
        const summary = summarize(input, { omit: [...OMIT, 'deadlines'] });
        add('workflow started', `${a.workflowType?.name ?? '?'} on task queue ${a.taskQueue?.name ?? '?'}${attempt}${summary ? `: ${summary}` : ''}`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED: {
        const a = event.workflowTaskFailedEventAttributes!;
        const cause = (temporal.api.enums.v1.WorkflowTaskFailedCause[a.cause ?? 0] ?? '').replace(/^WORKFLOW_TASK_FAILED_CAUSE_/, '').toLowerCase().replace(/_/g, ' ');
        add('workflow task failed', `${cause ? `${cause}: ` : ''}${describeFailure(a.failure)}`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
        add('workflow task timed out', `no worker completed it in time (${timeoutName(event.workflowTaskTimedOutEventAttributes?.timeoutType)}): is a worker polling the task queue?`);
        break;
      case EventType.EVENT_TYPE_MARKER_RECORDED: {
        const a = event.markerRecordedEventAttributes!;
        if (a.markerName !== LOCAL_ACTIVITY_MARKER) {
          add(`marker ${a.markerName ?? '?'}`);
          break;
        }
        const [data] = decodePayloads(a.details?.data) as [LocalActivityMarkerData | undefined];
        const activity = data?.activity_type ?? 'unknown';
        const attempt = data?.attempt ?? 1;
        if (a.failure) {
          // The marker's JSON holds plain numbers, not protobuf Longs.
          const backoffMs = data?.backoff ? (data.backoff.seconds ?? 0) * 1000 + (data.backoff.nanos ?? 0) / 1e6 : undefined;
          const retry = backoffMs === undefined ? '' : `; retrying after ${formatDuration(backoffMs)}`;
          add(`local activity ${activity} failed`, `attempt ${attempt}: ${describeFailure(a.failure)}${retry}`);
        } else {
          add(`local activity ${activity}`, `completed${attempt > 1 ? ` on attempt ${attempt}` : ''}`);
        }
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: {
        const a = event.activityTaskScheduledEventAttributes!;
        activityTypes.set(id, a.activityType?.name ?? '?');
        add(`activity ${a.activityType?.name ?? '?'} scheduled`);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const a = event.activityTaskStartedEventAttributes!;
        // The first attempt's start says nothing new; a later one is a retry, with the failure that caused it.
        if ((a.attempt ?? 1) > 1) {
          add(`activity ${activityTypes.get(String(a.scheduledEventId)) ?? '?'} retried`, `attempt ${a.attempt}${a.lastFailure ? ` after: ${describeFailure(a.lastFailure)}` : ''}`);
        }
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
        add(`activity ${activityTypes.get(String(event.activityTaskCompletedEventAttributes?.scheduledEventId)) ?? '?'} completed`);
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
        const a = event.activityTaskFailedEventAttributes!;
        add(`activity ${activityTypes.get(String(a.scheduledEventId)) ?? '?'} failed`, `${describeFailure(a.failure)} (retry state: ${retryStateName(a.retryState)})`);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const a = event.activityTaskTimedOutEventAttributes!;
        add(`activity ${activityTypes.get(String(a.scheduledEventId)) ?? '?'} timed out`, `${describeFailure(a.failure)} (retry state: ${retryStateName(a.retryState)})`);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED: {
        const a = event.timerStartedEventAttributes!;
        const after = durationText(a.startToFireTimeout);
        timers.set(a.timerId ?? '', after);
        add('timer started', `timer ${a.timerId}: fires after ${after} unless the wait ends first`);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_FIRED: {
        const timerId = event.timerFiredEventAttributes?.timerId ?? '';
        add('timer fired', `timer ${timerId} (${timers.get(timerId) ?? '?'}): the deadline passed`);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_CANCELED: {
        const timerId = event.timerCanceledEventAttributes?.timerId ?? '';
        add('timer cancelled', `timer ${timerId} (${timers.get(timerId) ?? '?'}): the wait ended before the deadline`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: {
        const a = event.workflowExecutionSignaledEventAttributes!;
        const args = decodePayloads(a.input);
        add(`signal ${a.signalName ?? '?'}`, args.map(describeValue).join('; '));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED: {
        const a = event.workflowExecutionUpdateAdmittedEventAttributes!;
        add(`update ${a.request?.input?.name ?? '?'} admitted`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: {
        const a = event.workflowExecutionUpdateAcceptedEventAttributes!;
        const name = a.acceptedRequest?.input?.name ?? '?';
        updates.set(id, name);
        add(`update ${name} accepted`, decodePayloads(a.acceptedRequest?.input?.args).map(describeValue).filter(Boolean).join('; '));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED: {
        const a = event.workflowExecutionUpdateRejectedEventAttributes!;
        add(`update ${a.rejectedRequest?.input?.name ?? '?'} rejected`, describeFailure(a.failure));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED: {
        const a = event.workflowExecutionUpdateCompletedEventAttributes!;
        const name = updates.get(String(a.acceptedEventId)) ?? '?';
        if (a.outcome?.failure) add(`update ${name} failed`, describeFailure(a.outcome.failure));
        else add(`update ${name} completed`, decodePayloads(a.outcome?.success).map(describeValue).join('; '));
        break;
      }
      case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
        const fields = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {};
        const pairs = Object.entries(fields).map(([name, payload]) => `${name}=${summarize(decodePayloads({ payloads: [payload] })[0])}`);
        add('search attributes upserted', pairs.join(' '));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED: {
        const [result] = decodePayloads(event.workflowExecutionCompletedEventAttributes?.result);
        const r = (result ?? {}) as { status?: string; cancelReason?: string | null };
        add('workflow completed', r.status ? `${r.status}${r.cancelReason ? ` (${r.cancelReason})` : ''}` : describeValue(result));
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
        const a = event.workflowExecutionFailedEventAttributes!;
        add('workflow failed', `${describeFailure(a.failure)} (retry state: ${retryStateName(a.retryState)})`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
        add('workflow timed out', `retry state: ${retryStateName(event.workflowExecutionTimedOutEventAttributes?.retryState)}`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED: {
        const a = event.workflowExecutionTerminatedEventAttributes!;
        add('workflow terminated', `${a.reason || 'no reason given'}${a.identity ? ` (by ${a.identity})` : ''}`);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
        add('workflow cancel requested', event.workflowExecutionCancelRequestedEventAttributes?.cause ?? '');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
        add('workflow cancelled');
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
        add('workflow continued as new', `next run ${event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? '?'}`);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
        add('workflow properties modified', 'memo updated');
        break;
      default:
        add(eventName(type));
    }
  }
  return entries;
}
