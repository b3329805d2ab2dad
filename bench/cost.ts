// What a saga bench's orders cost the machine: CPU of every local process of the system (each
// `petstore serve`, the Temporal server, Postgres, Kafka), Postgres transactions and the Kafka
// requests the petstore processes sent, each per confirmed order, with the idle CPU measured first.
import { readFileSync, readlinkSync } from 'node:fs';
import type { Knex } from 'knex';
import { projectRoot, type Config } from '../lib/config';
import { internalAddress } from '../api/internal-listener';
import { stackParts } from '../stack';
import { cpuMeter, cpuPerOrder, idlePercent, type CpuComponent, type CpuFigures, type CpuPerOrder, type CpuProcess } from './cpu';
import { processLabel } from './rss';

/** The cost figures of a run, as the report carries them. */
export interface RunCost {
  /** CPU ms per confirmed order by component (null: not measured). */
  cpuMsPerOrder: CpuPerOrder;
  /** Each component's CPU before the load, in percent of one core. */
  idleCpuPercent: Record<CpuComponent, number | null>;
  /** The same per process. */
  processes: CpuFigures[];
  /** Postgres transactions (commits and rollbacks in the database) per confirmed order; null when unreadable. */
  postgresTransactionsPerOrder: number | null;
  /** Kafka requests the petstore processes sent per confirmed order, by Kafka API; null when /metrics was unreadable. */
  kafkaRequestsPerOrder: Record<string, number> | null;
}

/** Whether a process runs from this checkout (another checkout's system on the same machine is not ours). */
function inThisCheckout(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return argv.some((arg) => arg.startsWith(projectRoot)) || cwd.startsWith(projectRoot);
  } catch {
    return false;
  }
}

const command = (pid: number) => {
  try {
    return processLabel(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
  } catch {
    return '(not running)';
  }
};

/** The processes to account for: the given petstore servers, and the parts the local stack runs (external parts have no pid here). */
export async function costProcesses(config: Config, servePids: readonly number[]): Promise<CpuProcess[]> {
  const parts = await Promise.all(stackParts(config, () => undefined).map(async (part) => ({ name: part.name, status: await part.status().catch(() => undefined) })));
  return [
    ...servePids.map((pid) => ({ component: 'serve' as const, pid, command: command(pid) })),
    ...parts.flatMap(({ name, status }) => (status?.pid === undefined ? [] : [{ component: name as CpuComponent, pid: status.pid, command: command(status.pid) }])),
  ];
}

/** Where the API process serves /metrics: its internal listener (METRICS_HOST:METRICS_PORT, by default 127.0.0.1 and the API's port + 1). */
export function defaultMetricsUrls(config: Config): string[] {
  const listener = internalAddress(config);
  return listener ? [`http://${listener.host}:${listener.port}/metrics`] : [];
}

/** The serve pids to account for: those given, or the ones running from this checkout. */
export const ourServers = (found: readonly number[]): number[] => found.filter(inThisCheckout);

async function pgTransactions(db: Knex): Promise<number> {
  const row = (await db.raw('select sum(xact_commit + xact_rollback)::bigint as n from pg_stat_database where datname = current_database()')) as { rows: { n: string }[] };
  return Number(row.rows[0]?.n ?? 0);
}

/** Sums petstore_kafka_requests_total by API from a Prometheus text page. */
export function kafkaRequestsByApi(text: string): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^petstore_kafka_requests_total\{([^}]*)\}\s+([\d.e+]+)$/.exec(line);
    if (!match) continue;
    const api = /api="([^"]*)"/.exec(match[1]!)?.[1] ?? 'unknown';
    totals[api] = (totals[api] ?? 0) + Number(match[2]);
  }
  return totals;
}

async function scrapeKafkaRequests(urls: readonly string[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const url of urls) {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    for (const [api, n] of Object.entries(kafkaRequestsByApi(await response.text()))) totals[api] = (totals[api] ?? 0) + n;
  }
  return totals;
}

/** Meters a run: `idleStart`, `loadStart` and `end` marks, then `result(confirmed)`; each reading that fails leaves its figure null and says why in notes. */
export function costMeter({ processes, db, metricsUrls, notes }: { processes: CpuProcess[]; db: Knex | undefined; metricsUrls: readonly string[]; notes: string[] }) {
  const cpu = cpuMeter(processes);
  const readings: { pg?: number; kafka?: Record<string, number> }[] = [];
  const read = async () => {
    const reading: (typeof readings)[number] = {};
    if (db) reading.pg = await pgTransactions(db).catch((error: Error) => void notes.push(`Postgres transactions not counted: ${error.message}`));
    if (metricsUrls.length > 0) reading.kafka = await scrapeKafkaRequests(metricsUrls).catch((error: Error) => void notes.push(`Kafka requests not counted: ${error.message}`));
    return reading;
  };
  return {
    idleStart: () => cpu.mark('idleStart'),
    async loadStart() {
      cpu.mark('loadStart');
      readings[0] = await read();
    },
    async end() {
      cpu.mark('end');
      // Postgres publishes a backend's counters within a second of its transactions.
      await new Promise((r) => setTimeout(r, 1100));
      readings[1] = await read();
    },
    result(confirmed: number): RunCost {
      const figures = cpu.figures();
      const [before, after] = readings;
      const per = (n: number) => (confirmed === 0 ? 0 : Math.round((n / confirmed) * 100) / 100);
      const kafka =
        before?.kafka && after?.kafka
          ? Object.fromEntries(Object.keys(after.kafka).sort().map((api) => [api, per(after.kafka![api]! - (before.kafka![api] ?? 0))]).filter(([, n]) => (n as number) > 0))
          : null;
      return {
        cpuMsPerOrder: cpuPerOrder(figures, confirmed),
        idleCpuPercent: idlePercent(figures),
        processes: figures,
        postgresTransactionsPerOrder: before?.pg !== undefined && after?.pg !== undefined && confirmed > 0 ? per(after.pg - before.pg) : null,
        kafkaRequestsPerOrder: kafka,
      };
    },
  };
}
