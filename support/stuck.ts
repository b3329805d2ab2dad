// Open sagas that have waited too long: found through Temporal's visibility (eventually
// consistent), with what each waits for from its state query.
import type { Client } from '@temporalio/client';
import pLimit from 'p-limit';
import { ORDER_STATUS, type OrderStatus } from '../domain/orders';
import { CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../domain/search-attributes';
import { ORDER_SAGA, sagaStateQuery, type SagaState } from '../workflows/definitions';
import { SupportInputError } from './errors';

/** An open saga as visibility lists it. */
export interface OpenSaga {
  workflowId: string;
  runId: string;
  startTime: Date;
  /** The OrderStatus search attribute (visibility's copy: may lag the saga). */
  orderStatus: string | null;
  customerId: string | null;
}

/** Where open sagas and their live state come from: Temporal (`temporalSagaSource`) or a test's fake. */
export interface SagaSource {
  list(query: string): AsyncIterable<OpenSaga>;
  state(saga: OpenSaga): Promise<SagaState>;
}

/** One saga that has waited longer than the threshold. */
export interface StuckOrder {
  orderId: string;
  workflowId: string;
  runId: string;
  status: string | null;
  /** What it waits for, in words; null when unknown (the state query failed). */
  waitingFor: string | null;
  /** When the current wait began (ISO): the last status change, or the start when the state is unknown. */
  since: string;
  waitingMs: number;
  /** When the current wait gives up (ISO), or null. */
  deadline: string | null;
  customerId: string | null;
  startedAt: string;
  /** The saga in the Temporal UI. */
  link: string;
  /** Why the live state is unknown, when it is. */
  stateError: string | null;
}

/** What `orders stuck` shows. */
export interface StuckReport {
  query: string;
  olderThanMs: number;
  checkedAt: string;
  orders: StuckOrder[];
  warnings: string[];
}

/** An order status by name, or a SupportInputError naming the valid ones. */
export function checkStatus(status: string): OrderStatus {
  const statuses = Object.values(ORDER_STATUS) as string[];
  if (!statuses.includes(status)) throw new SupportInputError(`unknown order status "${status}" (choose from ${statuses.join(', ')})`);
  return status as OrderStatus;
}

/**
 * The visibility query for the deployment's open sagas, optionally in one status. The task queue
 * tells deployments apart: two of them (PETSTORE_NAMESPACE) may share one Temporal namespace.
 */
export function stuckQuery({ taskQueue, status }: { taskQueue: string; status?: OrderStatus }): string {
  const queue = taskQueue.replace(/["\\]/g, '\\$&');
  return `WorkflowType="${ORDER_SAGA}" AND TaskQueue="${queue}" AND ExecutionStatus="Running"${status ? ` AND ${ORDER_STATUS_ATTRIBUTE.name}="${checkStatus(status)}"` : ''}`;
}

/** The order id of a saga: its workflow id without the `order-` prefix. */
export const orderIdOf = (workflowId: string): string => workflowId.replace(/^order-/, '');

/** One saga's row, from its visibility entry and (when the query answered) its live state. */
export function stuckEntry(saga: OpenSaga, state: SagaState | undefined, stateError: string | null, now: Date, link: string): StuckOrder {
  const lastChange = state?.history.at(-1)?.at;
  const since = lastChange && !Number.isNaN(Date.parse(lastChange)) ? new Date(lastChange) : saga.startTime;
  return {
    orderId: state?.orderId ?? orderIdOf(saga.workflowId),
    workflowId: saga.workflowId,
    runId: saga.runId,
    status: state?.status ?? saga.orderStatus,
    waitingFor: state ? state.waitingFor : null,
    since: since.toISOString(),
    waitingMs: Math.max(0, now.getTime() - since.getTime()),
    deadline: state?.deadline ?? null,
    customerId: saga.customerId ?? state?.userId ?? null,
    startedAt: saga.startTime.toISOString(),
    link,
    stateError,
  };
}

/**
 * The open sagas whose current wait began at least `olderThanMs` ago, longest waiting first. A
 * saga whose state query fails is still listed, its wait counted from its start, with a warning.
 */
export async function findStuckOrders({
  source,
  taskQueue,
  olderThanMs,
  status,
  link,
  now = () => new Date(),
  concurrency = 8,
}: {
  source: SagaSource;
  /** The deployment's task queue (config.temporal.taskQueue): only its sagas are listed. */
  taskQueue: string;
  olderThanMs: number;
  status?: OrderStatus;
  link: (workflowId: string) => string;
  now?: () => Date;
  concurrency?: number;
}): Promise<StuckReport> {
  const query = stuckQuery({ taskQueue, status });
  const open: OpenSaga[] = [];
  for await (const saga of source.list(query)) open.push(saga);
  const checkedAt = now();
  const limit = pLimit(concurrency);
  const rows = await Promise.all(
    open.map((saga) =>
      limit(async () => {
        try {
          return stuckEntry(saga, await source.state(saga), null, checkedAt, link(saga.workflowId));
        } catch (error) {
          return stuckEntry(saga, undefined, (error as Error).message, checkedAt, link(saga.workflowId));
        }
      }),
    ),
  );
  const failed = rows.filter((r) => r.stateError);
  const warnings = failed.length
    ? [`the state query failed for ${failed.length} of ${rows.length} saga(s) (${failed[0]!.stateError}): their wait is counted from the workflow start and the status is visibility's`]
    : [];
  const orders = rows
    // A status filter is visibility's, which may lag: the live status has the last word.
    .filter((r) => r.waitingMs >= olderThanMs && (!status || r.status === status))
    .sort((a, b) => a.since.localeCompare(b.since) || a.orderId.localeCompare(b.orderId));
  return { query, olderThanMs, checkedAt: checkedAt.toISOString(), orders, warnings };
}

/** Open sagas and their state from Temporal; each state query gets `queryTimeoutMs` (no worker, no answer). */
export function temporalSagaSource(client: Client, { queryTimeoutMs = 5000 }: { queryTimeoutMs?: number } = {}): SagaSource {
  return {
    async *list(query) {
      for await (const info of client.workflow.list({ query })) {
        yield {
          workflowId: info.workflowId,
          runId: info.runId,
          startTime: info.startTime,
          orderStatus: info.typedSearchAttributes.get(ORDER_STATUS_ATTRIBUTE) ?? null,
          customerId: info.typedSearchAttributes.get(CUSTOMER_ID_ATTRIBUTE) ?? null,
        };
      }
    },
    state: (saga) => queryState(client, saga.workflowId, saga.runId, queryTimeoutMs),
  };
}

/** gRPC status codes of a call that ran out of time: DEADLINE_EXCEEDED, or CANCELLED as the client reports its own deadline on a query. */
const OUT_OF_TIME = new Set([1, 4]);

/** Whether an error (or one of its causes: Temporal's client wraps them as "Failed to query Workflow") is a call that ran out of time. */
export function isDeadlineExceeded(error: unknown): boolean {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'number' && OUT_OF_TIME.has(e.code)) return true;
  }
  return false;
}

/** A saga's live state, given `timeoutMs` to answer: a query needs a worker, and without one it would wait for one. */
export async function queryState(client: Client, workflowId: string, runId: string | undefined, timeoutMs: number): Promise<SagaState> {
  try {
    return await client.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId, runId).query(sagaStateQuery));
  } catch (error) {
    if (isDeadlineExceeded(error)) throw new Error(`no answer in ${timeoutMs / 1000} s: is a worker polling the task queue?`);
    throw error;
  }
}
