// The benchmark reports: the JSON documents written to file (and printed with --json), and their
// renderings for people — the final tables and the live progress line.
import Table from 'cli-table3';
import { borderless } from '../lib/borderless';
import type { Audit } from './audit';
import type { RunCost } from './cost';
import { CPU_COMPONENTS } from './cpu';
import type { LedgerCounts } from './ledger';
import type { FoundCeiling } from './results';
import type { RssFigures } from './rss';
import type { Summary } from './stats';
import type { TemporalCost } from './temporal-cost';

/** How the saga bench's throughput compares with a ceiling run. */
export interface CeilingComparison {
  file: string;
  /** The ceiling's no-op workflows per second. */
  workflowsPerSecond: number;
  /** ordersPerSecond as a percentage of it. */
  percent: number | null;
  /** Mean history events per workflow of the sampled sagas and of the ceiling's workflows: a check that the ceiling still has the saga's shape. */
  historyEvents: { saga: number | null; ceiling: number | null };
}

/** One second of a saga bench, for the charts. */
export interface TimelinePoint {
  /** Seconds since the first order. */
  s: number;
  /** Orders confirmed, and POSTs refused (503/429), in this second. */
  confirmed: number;
  refused: number;
  /** POST → OrderConfirmed of the orders confirmed in this second. */
  p50: number | null;
  p99: number | null;
  /** VmRSS of each petstore process (pid → MiB). */
  rssMiB: Record<string, number>;
}

/** The result of `petstore bench` (saga mode); the cost figures (CPU, transactions, Kafka requests per confirmed order) at the top level. */
export interface SagaReport extends RunCost {
  kind: 'saga';
  runId: string;
  apiUrl: string;
  startedAt: string;
  /** When the last order was placed. */
  loadEndedAt: string;
  finishedAt: string;
  options: {
    load: { kind: 'rate'; perSecond: number } | { kind: 'concurrency'; inFlight: number };
    durationMs: number | null;
    orders: number | null;
    customers: number;
    pets: number;
    drainMs: number;
    orderTimeoutMs: number;
    sample: number;
    pids: number[];
    idleMs: number;
  };
  orders: LedgerCounts;
  /** Confirmed orders per second, from the first POST to the last OrderConfirmed seen. */
  ordersPerSecond: number | null;
  /** Accepted orders per second while placing. */
  placedPerSecond: number | null;
  /** POST sent → OrderConfirmed seen on the orders topic. */
  latencyMs: Summary;
  /** POST sent → 202 received. */
  acceptLatencyMs: Summary;
  /** Each event of the run's orders seen on the orders topic: seen minus the envelope's time (outbox → relay → Kafka → here). */
  publishLagMs: Summary;
  /** Count per kind: `http:<status>`, `network`, `cancelled:<reason>`, `timeout` (past --order-timeout). */
  errors: Record<string, number>;
  /** "Retry later" answers by status (503: at capacity or a dependency down; 429: this caller over its share), apart from errors. */
  refusals: Record<string, number>;
  /** POST sent → refusal received. */
  refusalLatencyMs: Summary;
  /** One point per second of the run (load and drain). */
  timeline: TimelinePoint[];
  /** Accepted orders not confirmed or cancelled when the run ended (after the drain). */
  open: number;
  /** History events and state transitions per confirmed order, from sampled sagas; null when none could be sampled. */
  temporal: TemporalCost | null;
  /** Resident memory per process (pid → figures). */
  rssMiB: Record<string, RssFigures>;
  ceiling: CeilingComparison | null;
  /** With --audit: the books of every accepted order (see bench/audit.ts), the first problems listed. */
  audit: Omit<Audit, 'problems'> & { problems: string[] } | null;
  notes: string[];
  file: string;
}

/** The result of `petstore bench --ceiling`. */
export interface CeilingReport {
  kind: 'ceiling';
  startedAt: string;
  finishedAt: string;
  options: { durationMs: number; concurrency: number; sample: number };
  taskQueue: string;
  workflowType: string;
  completed: number;
  failed: number;
  /** Workflows completed per second over the run. */
  ceiling: number;
  /** Start (update-with-start) → result, per workflow. */
  latencyMs: Summary;
  errors: Record<string, number>;
  temporal: TemporalCost | null;
  rssMiB: Record<string, RssFigures>;
  notes: string[];
  file: string;
}

/** Compares a saga bench's throughput (and the saga's history) with a ceiling result. */
export function compareWithCeiling(ordersPerSecond: number | null, saga: TemporalCost | null, found: FoundCeiling): CeilingComparison {
  const { ceiling, temporal } = found.report;
  return {
    file: found.file,
    workflowsPerSecond: ceiling,
    percent: ordersPerSecond === null || ceiling <= 0 ? null : Math.round((ordersPerSecond / ceiling) * 1000) / 10,
    historyEvents: { saga: saga?.historyEvents.mean ?? null, ceiling: temporal?.historyEvents.mean ?? null },
  };
}

/** Aligns rows into columns, two spaces apart: numbers right-aligned, text (and the first column) left-aligned. */
export function columns(rows: readonly (readonly string[])[]): string {
  const width = Math.max(0, ...rows.map((row) => row.length));
  const numeric = (i: number) => i > 0 && rows.slice(1).every((row) => row[i] === undefined || /^(-|-?[\d.]*)$/.test(row[i]!));
  const table = new Table({
    chars: borderless('  '),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: Array.from({ length: width }, (_, i) => (numeric(i) ? 'right' : 'left')),
  });
  table.push(...rows.map((row) => [...row]));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

const num = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined ? '-' : value.toFixed(digits).replace(/\.0+$/, ''));
const seconds = (ms: number | null): string => (ms === null ? '-' : ms % 60_000 === 0 && ms > 0 ? `${ms / 60_000}m` : `${num(ms / 1000)}s`);

/** One row of a latency table. */
const latencyRow = (name: string, s: Summary): string[] => [name, num(s.p50), num(s.p90), num(s.p99), num(s.max), String(s.count)];

/** Errors as `kind n, kind n`, or `none`. */
export const errorsLine = (errors: Record<string, number>): string =>
  Object.keys(errors).length === 0 ? 'none' : Object.entries(errors).map(([kind, n]) => `${kind} ${n}`).join(', ');

function rssTable(rss: Record<string, RssFigures>): string {
  return columns([
    ['pid', 'start', 'peak', 'end', 'command'],
    ...Object.entries(rss).map(([pid, f]) => [pid, num(f.startMiB), num(f.peakMiB), num(f.endMiB), f.command]),
  ]);
}

function costLine(cost: TemporalCost | null, what: string): string {
  if (!cost || cost.sampled === 0) return 'not sampled';
  const figure = (r: TemporalCost['historyEvents']) => (r.min === r.max ? num(r.min) : `${num(r.min)}–${num(r.max)} (mean ${num(r.mean)})`);
  return `per ${what}: ${figure(cost.historyEvents)} history events, ${figure(cost.stateTransitions)} state transitions (${cost.sampled} sampled)`;
}

/** CPU per confirmed order and idle CPU, per process, then per component. */
function cpuTable(r: SagaReport): string {
  const perOrder = (ms: number | null) => (ms === null || r.orders.confirmed === 0 ? null : ms / r.orders.confirmed);
  const idleTotal = CPU_COMPONENTS.every((c) => r.idleCpuPercent[c] === null) ? null : CPU_COMPONENTS.reduce((sum, c) => sum + (r.idleCpuPercent[c] ?? 0), 0);
  return columns([
    ['cpu per confirmed order', 'ms', 'idle % of a core', 'command'],
    ...r.processes.map((p) => [`${p.component} (pid ${p.pid})`, num(perOrder(p.loadMs)), num(p.idlePercent), p.command]),
    ...CPU_COMPONENTS.map((c) => [c, num(r.cpuMsPerOrder[c]), num(r.idleCpuPercent[c]), '']),
    ['total', num(r.cpuMsPerOrder.total), num(idleTotal), ''],
  ]);
}

/** Postgres transactions and Kafka requests per confirmed order, in one line. */
function requestsLine(r: SagaReport): string {
  const pg = r.postgresTransactionsPerOrder === null ? 'Postgres transactions not counted' : `${r.postgresTransactionsPerOrder} Postgres transactions`;
  const kafka = r.kafkaRequestsPerOrder === null ? 'Kafka requests not counted' : `Kafka requests ${Object.entries(r.kafkaRequestsPerOrder).map(([api, n]) => `${api} ${n}`).join(', ') || 'none'}`;
  return `per confirmed order: ${pg}; ${kafka}`;
}

function auditLine(a: NonNullable<SagaReport['audit']>): string {
  return `${a.oversells} oversold, ${a.doubleCharges} charged twice, ${a.lostEvents} lost events, ${a.duplicateEffects} duplicate effects (${a.confirmed} confirmed, ${a.cancelled} cancelled, ${a.open} open of ${a.orders})`;
}

/** What a saga bench did, in one line: the load shape and its limits. */
export function describeLoad(options: SagaReport['options']): string {
  const shape = options.load.kind === 'rate' ? `${num(options.load.perSecond, 2)} orders/s` : `${options.load.inFlight} orders in flight`;
  const limits = [options.orders === null ? null : `${options.orders} orders`, options.durationMs === null ? null : `for ${seconds(options.durationMs)}`].filter(Boolean).join(' or ');
  return `${shape}, ${limits}, over ${options.customers} customers and ${options.pets} pets`;
}

/** The last lines of either report: each process's memory, the notes, and where the JSON went. */
function memoryNotesAndFile(r: Pick<SagaReport, 'rssMiB' | 'notes' | 'file'>): string[] {
  return ['', 'memory (MiB, VmRSS)', rssTable(r.rssMiB), ...(r.notes.length ? ['', ...r.notes.map((n) => `note: ${n}`)] : []), '', `written to ${r.file}`];
}

/** The saga bench's report for people. */
export function renderSagaReport(r: SagaReport): string {
  const o = r.orders;
  const ceiling = r.ceiling
    ? `; ${r.ceiling.percent === null ? '-' : `${num(r.ceiling.percent)}%`} of the ceiling's ${num(r.ceiling.workflowsPerSecond)} workflows/s (${r.ceiling.file}; history events per workflow: saga ${num(r.ceiling.historyEvents.saga)}, ceiling ${num(r.ceiling.historyEvents.ceiling)})`
    : '';
  return [
    `petstore bench: ${describeLoad(r.options)} (run ${r.runId} against ${r.apiUrl})`,
    '',
    columns([
      ['throughput', `${num(r.ordersPerSecond)} confirmed orders/s (placed ${num(r.placedPerSecond)}/s)${ceiling}`],
      ['orders', `sent ${o.sent}, accepted ${o.accepted}, confirmed ${o.confirmed}, cancelled ${o.cancelled}, refused ${o.rejected}, open ${r.open}, past timeout ${o.timedOut}`],
      ['errors', errorsLine(r.errors)],
      ['refused', Object.keys(r.refusals).length === 0 ? 'none' : `${Object.entries(r.refusals).map(([status, n]) => `${status} ${n}`).join(', ')} (retry later)`],
      ['temporal', costLine(r.temporal, 'confirmed order')],
      ['requests', requestsLine(r)],
      ...(r.audit ? [['books', auditLine(r.audit)]] : []),
    ]),
    ...(r.audit?.problems.length ? ['', ...r.audit.problems.map((p) => `problem: ${p}`)] : []),
    '',
    columns([
      ['latency (ms)', 'p50', 'p90', 'p99', 'max', 'count'],
      latencyRow('POST → OrderConfirmed seen', r.latencyMs),
      latencyRow('POST → 202', r.acceptLatencyMs),
      ...(r.refusalLatencyMs.count > 0 ? [latencyRow('POST → refusal (503/429)', r.refusalLatencyMs)] : []),
      latencyRow('outbox publish lag', r.publishLagMs),
    ]),
    '',
    cpuTable(r),
    ...memoryNotesAndFile(r),
  ].join('\n');
}

/** The ceiling run's report for people. */
export function renderCeilingReport(r: CeilingReport): string {
  return [
    `petstore bench --ceiling: ${r.workflowType} on task queue ${r.taskQueue}, ${r.options.concurrency} in flight for ${seconds(r.options.durationMs)}`,
    '',
    columns([
      ['ceiling', `${num(r.ceiling)} workflows/s (${r.completed} completed, ${r.failed} failed)`],
      ['errors', errorsLine(r.errors)],
      ['temporal', costLine(r.temporal, 'workflow')],
    ]),
    '',
    columns([['latency (ms)', 'p50', 'p90', 'p99', 'max', 'count'], latencyRow('start → result', r.latencyMs)]),
    ...memoryNotesAndFile(r),
  ].join('\n');
}

/** The live line of a saga bench (TTY only): elapsed time, counts, throughput and median latency so far. */
export function sagaProgress({ elapsedMs, phase, counts, perSecond, p50 }: { elapsedMs: number; phase: 'placing' | 'draining'; counts: LedgerCounts; perSecond: number | null; p50: number | null }): string {
  const c = counts;
  return `${phase} ${num(elapsedMs / 1000, 0)}s  sent ${c.sent}  accepted ${c.accepted}  confirmed ${c.confirmed}  cancelled ${c.cancelled}  refused ${c.rejected}  open ${c.open}  ${num(perSecond)}/s  p50 ${p50 === null ? '-' : `${num(p50, 0)}ms`}`;
}

/** The live line of a ceiling run. */
export function ceilingProgress({ elapsedMs, completed, failed, inFlight }: { elapsedMs: number; completed: number; failed: number; inFlight: number }): string {
  return `ceiling ${num(elapsedMs / 1000, 0)}s  completed ${completed}  failed ${failed}  in flight ${inFlight}  ${num(elapsedMs > 0 ? completed / (elapsedMs / 1000) : null)}/s`;
}
