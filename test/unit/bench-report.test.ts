import { renderHtmlReport } from '../../bench/html';
import { compareEndpoint, renderHttpReport, type HttpReport } from '../../bench/http/report';
import { ceilingProgress, columns, compareWithCeiling, errorsLine, renderCeilingReport, renderSagaReport, sagaProgress, type CeilingReport, type SagaReport } from '../../bench/report';
import { newestCeilingOfDay, type FoundCeiling } from '../../bench/results';
import { countEventTypes } from '../../bench/temporal-cost';

const latency = (p50: number | null) => ({ count: p50 === null ? 0 : 10, p50, p90: p50, p99: p50, max: p50, mean: p50 });
const cost = (events: number) => ({ sampled: 2, historyEvents: { min: events, max: events, mean: events }, stateTransitions: { min: 8, max: 9, mean: 8.5 }, eventTypes: {}, workflowIds: ['order-a', 'order-b'] });

const ceilingReport = (over: Partial<CeilingReport> = {}): CeilingReport => ({
  kind: 'ceiling',
  startedAt: '2025-03-01T11:00:00.000Z',
  finishedAt: '2025-03-01T11:00:15.000Z',
  options: { durationMs: 15_000, concurrency: 20, sample: 5 },
  taskQueue: 'petstore-bench-ceiling-1234abcd',
  workflowType: 'ceilingSaga',
  completed: 300,
  failed: 0,
  ceiling: 20,
  latencyMs: latency(900),
  errors: {},
  temporal: cost(22),
  rssMiB: { '4242': { command: 'petstore bench --ceiling (this process)', startMiB: 130, peakMiB: 300.5, endMiB: 250 } },
  notes: [],
  file: '/data/bench/2025-03-01T11-00-00Z-ceiling.json',
  ...over,
});

const sagaReport = (over: Partial<SagaReport> = {}): SagaReport => ({
  kind: 'saga',
  runId: '1a2b3c4d',
  apiUrl: 'http://127.0.0.1:3100',
  startedAt: '2025-03-01T12:00:00.000Z',
  loadEndedAt: '2025-03-01T12:00:20.000Z',
  finishedAt: '2025-03-01T12:00:21.000Z',
  options: { load: { kind: 'rate', perSecond: 15 }, durationMs: 20_000, orders: null, customers: 200, pets: 10, drainMs: 30_000, orderTimeoutMs: 60_000, sample: 5, pids: [], idleMs: 5000 },
  orders: { sent: 300, accepted: 298, confirmed: 296, cancelled: 1, rejected: 2, open: 1, timedOut: 0 },
  ordersPerSecond: 14.6,
  placedPerSecond: 14.9,
  latencyMs: latency(412.3),
  acceptLatencyMs: latency(25),
  publishLagMs: latency(8.5),
  errors: { 'cancelled:OUT_OF_STOCK': 1, 'http:429': 2 },
  refusals: {},
  refusalLatencyMs: latency(null),
  timeline: [
    { s: 1, confirmed: 14, refused: 0, p50: 400, p99: 480, rssMiB: { '5021': 300 } },
    { s: 2, confirmed: 15, refused: 3, p50: 410, p99: 520, rssMiB: { '5021': 310 } },
  ],
  open: 1,
  temporal: cost(25),
  rssMiB: { '5021': { command: 'petstore serve --seed', startMiB: 276.3, peakMiB: 340.5, endMiB: 340 } },
  cpuMsPerOrder: { serve: 20, temporal: 30, postgres: 10, kafka: 5, total: 65 },
  idleCpuPercent: { serve: 0.8, temporal: 1.2, postgres: 0.1, kafka: 1.5 },
  processes: [
    { component: 'serve', pid: 5021, command: 'petstore serve --seed', idlePercent: 0.8, loadMs: 5920 },
    { component: 'temporal', pid: 17, command: 'temporal server start-dev', idlePercent: 1.2, loadMs: 8880 },
  ],
  postgresTransactionsPerOrder: 9.5,
  kafkaRequestsPerOrder: { Fetch: 4.25, Produce: 2 },
  ceiling: null,
  audit: null,
  notes: [],
  file: '/data/bench/2025-03-01T12-00-00Z-saga.json',
  ...over,
});

describe('bench report rendering', () => {
  it('aligns text left and numbers (with their headings) right', () => {
    expect(columns([['name', 'n', 'what'], ['a', '1', 'x'], ['bbb', '22.5', 'longer text']])).toBe(['name     n  what', 'a        1  x', 'bbb   22.5  longer text'].join('\n'));
  });

  it('lists errors by kind, or none', () => {
    expect(errorsLine({})).toBe('none');
    expect(errorsLine({ 'http:429': 2, timeout: 1 })).toBe('http:429 2, timeout 1');
  });

  it('renders the saga report: throughput, orders, errors, Temporal cost, latencies, memory and the file', () => {
    const text = renderSagaReport(sagaReport());
    expect(text).toContain('petstore bench: 15 orders/s, for 20s, over 200 customers and 10 pets (run 1a2b3c4d against http://127.0.0.1:3100)');
    expect(text).toMatch(/throughput +14\.6 confirmed orders\/s \(placed 14\.9\/s\)\n/);
    expect(text).toMatch(/orders +sent 300, accepted 298, confirmed 296, cancelled 1, refused 2, open 1, past timeout 0/);
    expect(text).toMatch(/errors +cancelled:OUT_OF_STOCK 1, http:429 2/);
    expect(text).toMatch(/temporal +per confirmed order: 25 history events, 8–9 \(mean 8\.5\) state transitions \(2 sampled\)/);
    expect(text).toMatch(/POST → OrderConfirmed seen +412\.3 +412\.3 +412\.3 +412\.3 +10/);
    expect(text).toMatch(/5021 +276\.3 +340\.5 +340 +petstore serve --seed/);
    expect(text).toMatch(/requests +per confirmed order: 9\.5 Postgres transactions; Kafka requests Fetch 4\.25, Produce 2/);
    expect(text).toMatch(/serve \(pid 5021\) +20 +0\.8 +petstore serve --seed/);
    expect(text).toMatch(/^temporal +30 +1\.2$/m);
    expect(text).toMatch(/^total +65 +3\.6$/m);
    expect(text.endsWith('written to /data/bench/2025-03-01T12-00-00Z-saga.json')).toBe(true);
  });

  it('shows the throughput as a share of a ceiling, with both workflows\' history lengths', () => {
    const found: FoundCeiling = { file: '/data/bench/c.json', report: ceilingReport() };
    const ceiling = compareWithCeiling(14.6, cost(25), found);
    expect(ceiling).toEqual({ file: '/data/bench/c.json', workflowsPerSecond: 20, percent: 73, historyEvents: { saga: 25, ceiling: 22 } });
    expect(renderSagaReport(sagaReport({ ceiling }))).toContain('; 73% of the ceiling\'s 20 workflows/s (/data/bench/c.json; history events per workflow: saga 25, ceiling 22)');
    expect(compareWithCeiling(null, null, found)).toMatchObject({ percent: null, historyEvents: { saga: null, ceiling: 22 } });
  });

  it('shows the books with --audit, and the first problems when they do not balance', () => {
    const books = { orders: 298, confirmed: 296, cancelled: 1, open: 1, oversells: 0, doubleCharges: 0, lostEvents: 0, duplicateEffects: 0, problems: [] };
    expect(renderSagaReport(sagaReport({ audit: books }))).toMatch(/books +0 oversold, 0 charged twice, 0 lost events, 0 duplicate effects \(296 confirmed, 1 cancelled, 1 open of 298\)/);
    const bad = renderSagaReport(sagaReport({ audit: { ...books, doubleCharges: 1, problems: ['order x: 2 charges captured'] } }));
    expect(bad).toMatch(/1 charged twice/);
    expect(bad).toMatch(/^problem: order x: 2 charges captured$/m);
    expect(renderSagaReport(sagaReport())).not.toMatch(/books/);
  });

  it('shows refusals apart from errors, and draws the run as a self-contained page', () => {
    const text = renderSagaReport(sagaReport({ refusals: { '503': 40, '429': 2 }, refusalLatencyMs: latency(3.5) }));
    expect(text).toMatch(/refused +429 2, 503 40 \(retry later\)/);
    expect(text).toMatch(/POST → refusal \(503\/429\) +3\.5/);
    const page = renderHtmlReport(sagaReport());
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).not.toMatch(/<script|src=|href=/);
    expect(page).toContain('CPU per confirmed order: 65 ms in all');
    expect((page.match(/<polyline/g) ?? []).length).toBe(5); // confirmed, refused, p50, p99, one process's memory
  });

  it('renders a run with nothing measured without failing', () => {
    const text = renderSagaReport(sagaReport({ ordersPerSecond: null, placedPerSecond: null, latencyMs: latency(null), temporal: null, notes: ['interrupted'] }));
    expect(text).toMatch(/throughput +- confirmed orders\/s \(placed -\/s\)/);
    expect(text).toMatch(/temporal +not sampled/);
    expect(text).toContain('note: interrupted');
  });

  it('renders the ceiling report and the progress lines', () => {
    const text = renderCeilingReport(ceilingReport());
    expect(text).toContain('petstore bench --ceiling: ceilingSaga on task queue petstore-bench-ceiling-1234abcd, 20 in flight for 15s');
    expect(text).toMatch(/ceiling +20 workflows\/s \(300 completed, 0 failed\)/);
    expect(text).toMatch(/start → result +900/);
    expect(sagaProgress({ elapsedMs: 12_400, phase: 'placing', counts: sagaReport().orders, perSecond: 14.93, p50: 412.3 })).toBe(
      'placing 12s  sent 300  accepted 298  confirmed 296  cancelled 1  refused 2  open 1  14.9/s  p50 412ms',
    );
    expect(ceilingProgress({ elapsedMs: 10_000, completed: 150, failed: 0, inFlight: 20 })).toBe('ceiling 10s  completed 150  failed 0  in flight 20  15/s');
  });

  it('finds the newest ceiling of the same UTC day', () => {
    const at = (file: string, startedAt: string, finishedAt: string): FoundCeiling => ({ file, report: ceilingReport({ startedAt, finishedAt }) });
    const candidates = [at('old', '2025-02-28T23:59:00.000Z', '2025-03-01T00:00:10.000Z'), at('a', '2025-03-01T08:00:00.000Z', '2025-03-01T08:00:30.000Z'), at('b', '2025-03-01T09:00:00.000Z', '2025-03-01T09:00:30.000Z')];
    expect(newestCeilingOfDay(candidates, '2025-03-01')?.file).toBe('b');
    expect(newestCeilingOfDay(candidates, '2025-03-02')).toBeUndefined();
  });

  it('counts a history\'s event types by name', () => {
    expect(countEventTypes([1, 5, 5, 6])).toEqual({ WORKFLOW_EXECUTION_STARTED: 1, WORKFLOW_TASK_SCHEDULED: 2, WORKFLOW_TASK_STARTED: 1 });
  });
});

describe('bench:http report', () => {
  const figures = (rps: number, p50: number, p99: number, mean: number) => ({ requestsPerSecond: rps, latencyMs: { p50, p99, mean }, failed: 0, total: rps * 10 });

  it('gives petstore/bare ratios, and none when the bare side measured nothing', () => {
    expect(compareEndpoint('GET /pets', figures(1000, 6, 20, 7.5), figures(2000, 3, 10, 3)).ratio).toEqual({ requestsPerSecond: 0.5, p50: 2, p99: 2, mean: 2.5 });
    expect(compareEndpoint('GET /pets', figures(1000, 6, 20, 7.5), figures(0, 0, 0, 0)).ratio).toEqual({ requestsPerSecond: null, p50: null, p99: null, mean: null });
  });

  it('renders one block per endpoint: petstore, bare and the ratio', () => {
    const report: HttpReport = {
      kind: 'http',
      startedAt: '2025-03-01T12:00:00.000Z',
      finishedAt: '2025-03-01T12:01:00.000Z',
      options: { durationSec: 10, warmupSec: 2, connections: 10 },
      logLevel: 'info',
      poolMax: 20,
      endpoints: [compareEndpoint('GET /pets/:id', figures(3706, 2, 5, 2.4), figures(5258, 1, 4, 1.6))],
      notes: [],
      file: '/data/bench/h.json',
    };
    const text = renderHttpReport(report);
    expect(text).toContain('10 connections, 10s per endpoint and server (after 2s warm-up), 127.0.0.1; petstore logging at info, pg pool max 20');
    expect(text).toMatch(/GET \/pets\/:id +petstore +3706 +2 +5 +2\.40 +0\n +bare +5258 +1 +4 +1\.60 +0\n +petstore\/bare +0\.70 +2\.00 +1\.25 +1\.50/);
  });
});
