// One order's story from every system that saw it: the saga's history in Temporal, its events on
// Kafka, its payment and notifications, and what support did to it, merged into one timeline.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { Kafka } from 'kafkajs';
import type { AuditEntry, NotificationView, OrderView, PaymentView, RefundView } from '../api/ports';
import type { OrderHistory } from '../domain/order-history';
import { orderWorkflowId } from '../domain/orders';
import { parseEvent } from '../kafka/envelope';
import type { KafkaNames } from '../kafka/topics';
import type { SagaState } from '../workflows/definitions';
import { UnknownOrderError } from './errors';
import { partitionsForKey, readPartitions, type ReadRecord } from './kafka-reader';
import { queryState } from './stuck';
import { decodeHistoryPayloads, describeHistory } from './temporal-history';
import { mergeTimeline, summarize, type TimelineEntry } from './timeline';

/** The REST calls explain makes: JSON GETs. */
export interface SupportApi {
  /** The order, or undefined when the API answers 404. */
  order(orderId: string): Promise<(OrderView & { links?: Record<string, string> }) | undefined>;
  /** One page of the order's payments. */
  payments(orderId: string, cursor?: string): Promise<ApiPage<PaymentView>>;
  refunds(paymentId: string): Promise<{ items: RefundView[] }>;
  /** One page of the order's notifications. */
  notifications(orderId: string, cursor?: string): Promise<ApiPage<NotificationView>>;
  audit(orderId: string): Promise<{ items: AuditEntry[] }>;
  /** The order-history projection's view, or undefined when the API answers 404 (it has seen no event of the order). */
  history(orderId: string): Promise<OrderHistory | undefined>;
}

/** A page as the API answers it. */
interface ApiPage<T> {
  items: T[];
  nextCursor?: string | null;
}

/** What Temporal knows of the order's saga. */
export interface WorkflowFacts {
  workflowId: string;
  runId: string;
  /** RUNNING, COMPLETED, FAILED, TERMINATED, ... */
  status: string;
  startTime: string;
  closeTime: string | null;
  history: temporal.api.history.v1.IHistoryEvent[];
  /** The live state (running sagas only), or null. */
  state: SagaState | null;
  stateError: string | null;
}

/** Where explain looks; each may fail on its own (the rest is still shown). `createExplainSources` makes the real ones. */
export interface ExplainSources {
  /** The order as the API shows it; undefined when the API says there is none. */
  order(orderId: string): Promise<(OrderView & { links?: Record<string, string> }) | undefined>;
  /** The saga; undefined when Temporal has none. */
  workflow(orderId: string): Promise<WorkflowFacts | undefined>;
  /** The messages keyed by the order id on the event topics. */
  kafka(orderId: string): Promise<ReadRecord[]>;
  payments(orderId: string): Promise<PaymentView[]>;
  /** The refunds of the order's payments. */
  refunds(orderId: string): Promise<RefundView[]>;
  notifications(orderId: string): Promise<NotificationView[]>;
  audit(orderId: string): Promise<AuditEntry[]>;
  /** The order-history projection's view (built from the topics alone); undefined when it has seen no event of the order. */
  history(orderId: string): Promise<OrderHistory | undefined>;
}

/** Everything explain found, and what it could not reach. */
export interface Explanation {
  orderId: string;
  order: (OrderView & { links?: Record<string, string> }) | null;
  workflow: { workflowId: string; runId: string; status: string; startTime: string; closeTime: string | null; link: string } | null;
  state: SagaState | null;
  /** What the order-history projection says, to set beside the rest (null when it has nothing or was not reachable). */
  history: OrderHistory | null;
  timeline: TimelineEntry[];
  /** One line per source that could not be read. */
  warnings: string[];
}

/** Fields of event data not to show: payment tokens. */
const OMIT = ['paymentToken'] as const;

/** A message on an event topic as a timeline entry: the event's own time and type, or why it is not an event. */
export function describeKafkaRecord(record: ReadRecord): TimelineEntry {
  const ref = `${record.topic}[${record.partition}]@${record.offset}`;
  const brokerTime = new Date(Number(record.timestamp)).toISOString();
  try {
    const event = parseEvent(record.value, record.headers, record.key);
    return { time: event.time, source: 'kafka', what: event.type, detail: `${summarize(event.data, { omit: OMIT })} (from ${event.source}, on ${record.topic})`, ref };
  } catch (error) {
    return { time: brokerTime, source: 'kafka', what: 'invalid message', detail: `${(error as Error).message} (on ${record.topic})`, ref };
  }
}

const money = (cents: number | null, currency: string | null) => (cents === null ? '' : `${(cents / 100).toFixed(2)} ${currency ?? ''}`.trim());

/** The order's payment as a timeline entry. */
export function describePayment(payment: PaymentView): TimelineEntry {
  const amount = money(payment.amountCents, payment.currency);
  return {
    time: payment.createdAt,
    source: 'payment',
    what: `payment ${payment.status}`,
    detail: `${payment.id}${amount ? `: ${amount}` : ''}${payment.failureReason ? ` (${payment.failureReason})` : ''}`,
    ref: payment.id,
  };
}

/** A refund of the order's payment as a timeline entry: how much, which lines, restocked or not, what remained. */
export function describeRefund(refund: RefundView): TimelineEntry {
  const lines = refund.items.length ? refund.items.map((i) => `${i.quantity} x ${i.petId}`).join(', ') : 'by amount';
  const rest = refund.remainingCents > 0 ? `partial, ${money(refund.remainingCents, refund.currency)} remains` : 'in full';
  return {
    time: refund.createdAt,
    source: 'payment',
    what: `refund ${money(refund.amountCents, refund.currency)}`,
    detail: [`${rest} (${refund.paymentStatus})`, lines, refund.restock ? 'restocked' : '', `by ${refund.actor}`, `"${refund.reason}"`, refund.id].filter(Boolean).join('; '),
    ref: refund.id,
  };
}

/** A notification as a timeline entry. */
export function describeNotification(n: NotificationView): TimelineEntry {
  const body = n.body.length > 100 ? `${n.body.slice(0, 99)}…` : n.body;
  return { time: n.createdAt, source: 'notification', what: `notification ${n.kind}`, detail: `${n.channel}, ${n.status}: ${body}`, ref: n.id };
}

/** A support action as a timeline entry. */
export function describeAudit(entry: AuditEntry): TimelineEntry {
  const details = summarize(entry.details);
  return {
    time: entry.at,
    source: 'audit',
    what: `support ${entry.action}`,
    detail: [`by ${entry.actor}`, entry.reason ? `"${entry.reason}"` : '', entry.paymentId ? `payment ${entry.paymentId}` : '', details].filter(Boolean).join('; '),
    ref: entry.id,
  };
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };
const settle = <T>(promise: Promise<T>): Promise<Settled<T>> =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error: error instanceof Error ? error.message : String(error) }),
  );

/**
 * Asks every source at once and merges what they know into one timeline. A source that fails
 * becomes a warning. UnknownOrderError when neither the API nor Temporal knows the order and no
 * other source has anything; an Error when no source could be asked at all.
 */
export async function explainOrder(orderId: string, sources: ExplainSources, { link }: { link: (workflowId: string) => string }): Promise<Explanation> {
  const [order, workflow, kafka, payments, refunds, notifications, audit, history] = await Promise.all([
    settle(sources.order(orderId)),
    settle(sources.workflow(orderId)),
    settle(sources.kafka(orderId)),
    settle(sources.payments(orderId)),
    settle(sources.refunds(orderId)),
    settle(sources.notifications(orderId)),
    settle(sources.audit(orderId)),
    settle(sources.history(orderId)),
  ]);
  const warnings: string[] = [];
  const named: [string, Settled<unknown>][] = [
    ['order (API)', order],
    ['temporal', workflow],
    ['kafka', kafka],
    ['payments (API)', payments],
    ['refunds (API)', refunds],
    ['notifications (API)', notifications],
    ['audit (API)', audit],
    ['history (API)', history],
  ];
  for (const [name, result] of named) if (!result.ok) warnings.push(`${name}: ${result.error}`);

  const value = <T>(result: Settled<T>, fallback: T): T => (result.ok ? result.value : fallback);
  const facts = value(workflow, undefined);
  if (facts?.stateError) warnings.push(`temporal: the state query failed: ${facts.stateError}`);
  const records = value(kafka, []);
  const lists = {
    kafka: records.map(describeKafkaRecord),
    payments: value(payments, []).map(describePayment),
    refunds: value(refunds, []).map(describeRefund),
    notifications: value(notifications, []).map(describeNotification),
    audit: value(audit, []).map(describeAudit),
  };
  const orderView = value(order, undefined);
  const found = orderView !== undefined || facts !== undefined || Object.values(lists).some((l) => l.length > 0);
  const saidMissing = (order.ok && order.value === undefined) || (workflow.ok && workflow.value === undefined);
  if (!found && saidMissing) {
    const said = [order.ok && order.value === undefined ? 'the API has no such order' : '', workflow.ok && workflow.value === undefined ? `Temporal has no saga ${orderWorkflowId(orderId)}` : ''];
    const unasked = named.filter(([, r]) => !r.ok).map(([name]) => name);
    throw new UnknownOrderError(`order ${orderId} not found: ${said.filter(Boolean).join(' and ')}${unasked.length ? ` (not reachable: ${unasked.join(', ')})` : ''}`);
  }
  if (!found && named.every(([, r]) => !r.ok)) throw new Error(`could not explain order ${orderId}: no source answered (${warnings.join('; ')})`);

  return {
    orderId,
    order: orderView ?? null,
    workflow: facts
      ? { workflowId: facts.workflowId, runId: facts.runId, status: facts.status, startTime: facts.startTime, closeTime: facts.closeTime, link: link(facts.workflowId) }
      : null,
    state: facts?.state ?? null,
    history: value(history, undefined) ?? null,
    timeline: mergeTimeline(facts ? describeHistory(facts.history) : [], lists.kafka, lists.payments, lists.refunds, lists.notifications, lists.audit),
    warnings,
  };
}

/** Pages through a list endpoint that answers `{ items, nextCursor }`. */
async function allPages<T>(page: (cursor?: string) => Promise<ApiPage<T>>, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < maxPages; n++) {
    const answer = await page(cursor);
    items.push(...answer.items);
    cursor = answer.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return items;
}

/** Reads the partition the key maps to on each topic, from the beginning to the high watermark, keeping the key's messages. */
export async function readKeyedMessages(kafka: Kafka, names: KafkaNames, topics: string[], key: string): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ranges;
  try {
    ranges = await partitionsForKey(admin, topics, key);
  } finally {
    await admin.disconnect();
  }
  return (await readPartitions(kafka, ranges, { names })).filter((r) => r.key?.toString('utf8') === key);
}

/** The real sources: the REST API, Temporal (connected on first use, so that a failed connection is this source's failure) and Kafka. */
export function createExplainSources({
  api,
  temporal,
  kafka,
  names,
  taskQueue,
  stateTimeoutMs = 5000,
}: {
  api: SupportApi;
  temporal: () => Promise<Client>;
  kafka: Kafka;
  /** The deployment's topics (its event topics are where an order's messages travel). */
  names: KafkaNames;
  /** The deployment's task queue: a saga of the same id on another queue is another deployment's. */
  taskQueue: string;
  stateTimeoutMs?: number;
}): ExplainSources {
  return {
    order: (orderId) => api.order(orderId),
    async workflow(orderId) {
      const client = await temporal();
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      let description;
      try {
        description = await handle.describe();
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return undefined;
        throw error;
      }
      if (description.taskQueue !== taskQueue) return undefined;
      const raw = (await client.workflow.getHandle(description.workflowId, description.runId).fetchHistory()).events ?? [];
      // Stored encrypted by the payload codec: decoded here with the client's own codecs.
      const history = await decodeHistoryPayloads(raw, client.options.loadedDataConverter.payloadCodecs);
      let state: SagaState | null = null;
      let stateError: string | null = null;
      if (description.status.name === 'RUNNING') {
        try {
          state = await queryState(client, description.workflowId, description.runId, stateTimeoutMs);
        } catch (error) {
          stateError = (error as Error).message;
        }
      }
      return {
        workflowId: description.workflowId,
        runId: description.runId,
        status: description.status.name,
        startTime: description.startTime.toISOString(),
        closeTime: description.closeTime?.toISOString() ?? null,
        history,
        state,
        stateError,
      };
    },
    kafka: (orderId) => readKeyedMessages(kafka, names, names.eventTopics, orderId),
    payments: (orderId) => allPages((cursor) => api.payments(orderId, cursor)),
    async refunds(orderId) {
      const payments = await allPages((cursor) => api.payments(orderId, cursor));
      const lists = await Promise.all(payments.map(async (p) => (await api.refunds(p.id)).items));
      return lists.flat();
    },
    notifications: (orderId) => allPages((cursor) => api.notifications(orderId, cursor)),
    async audit(orderId) {
      return (await api.audit(orderId)).items;
    },
    history: (orderId) => api.history(orderId),
  };
}
