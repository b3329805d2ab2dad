// `petstore bench`: orders through the REST API as customers place them, each followed to its end on
// the orders topic. Sets up its own pets, runs the load, drains, samples what the sagas cost Temporal
// and the memory of the petstore processes, and puts it all in one report.
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb } from '../db/knex';
import { orderWorkflowId } from '../domain/orders';
import { createKafka } from '../kafka/client';
import { kafkaNames } from '../kafka/topics';
import type { Config } from '../lib/config';
import { createTemporalClient } from '../lib/temporal';
import { createBenchApi } from './api';
import { settledAudit } from './audit';
import { costMeter, costProcesses, defaultMetricsUrls, ourServers } from './cost';
import { followOrders } from './follower';
import { OrderLedger, type LedgerCounts } from './ledger';
import { runLoad } from './load';
import type { SagaBenchPlan } from './options';
import { compareWithCeiling, type SagaReport, type TimelinePoint } from './report';
import { findCeiling, readCeiling } from './results';
import { discoverPetstoreServers, sampleRss } from './rss';
import { summarize } from './stats';
import { spread, temporalCost, type TemporalCost } from './temporal-cost';

/** The bench's clock: monotonic, and in epoch milliseconds so it compares with the envelopes' times. */
const clock = () => performance.timeOrigin + performance.now();

/** A snapshot for the live progress line. */
export interface SagaProgress {
  elapsedMs: number;
  phase: 'placing' | 'draining';
  counts: LedgerCounts;
  perSecond: number | null;
  p50: number | null;
}

/** Runs the saga bench against the API at apiUrl; `signal` (Ctrl-C) ends the placing and the drain early. */
export async function runSagaBench(
  plan: SagaBenchPlan,
  { config, apiUrl, onProgress, signal, now = () => new Date() }: { config: Config; apiUrl: string; onProgress?: (p: SagaProgress) => void; signal?: AbortSignal; now?: () => Date },
): Promise<Omit<SagaReport, 'file'>> {
  // Read first: a wrong --ceiling-from should fail before any order is placed.
  const ceilingFile = plan.ceilingFrom === undefined ? undefined : readCeiling(plan.ceilingFrom);
  const api = createBenchApi(config, apiUrl);
  await api.check();
  const runId = randomUUID().slice(0, 8);
  const notes: string[] = [];
  const customers = Array.from({ length: plan.customers }, (_, i) => `bench-${runId}-${i + 1}`);
  const pets = await api.preparePets(plan.pets);
  // With --audit, the books are read straight from Postgres: the pets' stock now, every order's outcome at the end.
  // The database also gives the run's transaction count (pg_stat_database).
  const db = createDb(config, { poolMax: 2 });
  const stockBefore = plan.audit
    ? new Map(((await db.withSchema('inventory').table('pets').whereIn('id', pets).select('id', 'stock')) as { id: string; stock: number }[]).map((p) => [p.id, p.stock]))
    : undefined;

  const ledger = new OrderLedger(plan.orderTimeoutMs);
  const pids = plan.pids.length > 0 ? plan.pids : ourServers(discoverPetstoreServers());
  if (pids.length === 0) notes.push('no petstore serve/start process of this checkout found on this machine: pass --pid to sample its memory and CPU');
  const rss = sampleRss(pids);
  const kafka = createKafka(config, { retries: 3 });
  const follower = await followOrders(kafka, { names: kafkaNames(config.namespace), now: clock, onEvent: (e) => ledger.event(e.orderId, e) });
  const cost = costMeter({ processes: await costProcesses(config, pids), db, metricsUrls: plan.metricsUrls ?? defaultMetricsUrls(config), notes });
  if (plan.idleMs > 0) {
    cost.idleStart();
    await sleep(plan.idleMs, undefined, { signal }).catch(() => undefined);
  }
  await cost.loadStart();

  const startedAt = now();
  const t0 = clock();
  let phase: SagaProgress['phase'] = 'placing';
  const perSecond = () => {
    const c = ledger.counts();
    return ledger.lastConfirmedAt === undefined || c.confirmed === 0 ? null : c.confirmed / ((ledger.lastConfirmedAt - t0) / 1000);
  };
  const tick = setInterval(() => {
    ledger.sweep(clock());
    onProgress?.({ elapsedMs: clock() - t0, phase, counts: ledger.counts(), perSecond: perSecond(), p50: summarize(ledger.confirmLatencies).p50 });
  }, 250);
  // One point a second for the HTML report's charts: what was confirmed and refused in that second, its latencies, the memory.
  const timeline: TimelinePoint[] = [];
  let seen = { confirmed: 0, refused: 0 };
  const second = setInterval(() => {
    const latencies = ledger.confirmLatencies.slice(seen.confirmed);
    const refused = ledger.refusalLatencies.length;
    const window = summarize(latencies);
    timeline.push({ s: Math.round((clock() - t0) / 1000), confirmed: latencies.length, refused: refused - seen.refused, p50: window.p50, p99: window.p99, rssMiB: rss.current() });
    seen = { confirmed: ledger.confirmLatencies.length, refused };
  }, 1000);

  let loadEndedAt: Date;
  let placedPerSecond: number | null;
  try {
    const load = await runLoad(
      { load: plan.load, durationMs: plan.durationMs, orders: plan.orders, signal },
      {
        now: clock,
        sleep: (ms) => sleep(ms),
        untilDone: (orderId) => ledger.untilTerminal(orderId),
        async place(index) {
          const sentAt = clock();
          ledger.sent();
          // Customers and pets in turn, so every customer and every pet gets its share.
          const outcome = await api.placeOrder(customers[index % customers.length]!, pets[index % pets.length]!);
          if (!outcome.ok) {
            ledger.rejected(outcome.kind, clock() - sentAt);
            return undefined;
          }
          ledger.accepted(outcome.orderId, sentAt, clock());
          return outcome.orderId;
        },
      },
    );
    loadEndedAt = now();
    placedPerSecond = load.endedAt > load.startedAt ? Math.round((ledger.counts().accepted / ((load.endedAt - load.startedAt) / 1000)) * 10) / 10 : null;

    phase = 'draining';
    const drainUntil = clock() + plan.drainMs;
    while (ledger.counts().open > 0 && clock() < drainUntil && !signal?.aborted) await sleep(100);
  } finally {
    clearInterval(tick);
    clearInterval(second);
    await cost.end();
    await follower.stop();
  }
  ledger.sweep(clock());
  const rssMiB = rss.stop();
  const counts = ledger.counts();
  if (signal?.aborted) notes.push('interrupted: the figures cover what happened until Ctrl-C');

  let temporal: TemporalCost | null = null;
  const sampled = spread(ledger.confirmedIds(), plan.sample).map(orderWorkflowId);
  if (sampled.length > 0) {
    const client = await createTemporalClient(config);
    try {
      temporal = await temporalCost(client, sampled);
    } catch (error) {
      notes.push(`could not sample the sagas' histories: ${(error as Error).message}`);
    } finally {
      await client.connection.close();
    }
  }

  let audit: SagaReport['audit'] = null;
  try {
    if (stockBefore) {
      // Every order of this run's customers, also those whose answer the bench never got (a timeout
      // after the server had placed them): their units are on the books too.
      const placed = (await db.withSchema('orders').table('orders').where('user_id', 'like', `bench-${runId}-%`).pluck('id')) as string[];
      const unseen = placed.length - new Set(ledger.acceptedIds()).size;
      if (unseen > 0) notes.push(`${unseen} order(s) were placed on the server although their POST failed at the bench (timeout or network); the books include them`);
      const { problems, ...books } = await settledAudit(db, placed, stockBefore, 10_000);
      audit = { ...books, problems: problems.slice(0, 20) };
    }
  } finally {
    await db.destroy();
  }

  const ordersPerSecond = perSecond();
  const rounded = ordersPerSecond === null ? null : Math.round(ordersPerSecond * 10) / 10;
  const ceilingSource = ceilingFile ?? findCeiling(dirname(plan.out), startedAt);
  return {
    kind: 'saga',
    runId,
    apiUrl,
    startedAt: startedAt.toISOString(),
    loadEndedAt: loadEndedAt.toISOString(),
    finishedAt: now().toISOString(),
    options: {
      load: plan.load,
      durationMs: plan.durationMs ?? null,
      orders: plan.orders ?? null,
      customers: plan.customers,
      pets: plan.pets,
      drainMs: plan.drainMs,
      orderTimeoutMs: plan.orderTimeoutMs,
      sample: plan.sample,
      pids,
      idleMs: plan.idleMs,
    },
    orders: counts,
    ordersPerSecond: rounded,
    placedPerSecond,
    latencyMs: summarize(ledger.confirmLatencies),
    acceptLatencyMs: summarize(ledger.acceptLatencies),
    publishLagMs: summarize(ledger.publishLags),
    errors: ledger.errors.toJSON(),
    refusals: ledger.refusals.toJSON(),
    timeline,
    refusalLatencyMs: summarize(ledger.refusalLatencies),
    open: counts.open,
    temporal,
    rssMiB,
    ...cost.result(counts.confirmed),
    ceiling: ceilingSource ? compareWithCeiling(rounded, temporal, ceilingSource) : null,
    audit,
    notes,
  };
}
