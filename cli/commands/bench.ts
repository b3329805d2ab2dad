import { Command, Option } from 'commander';
import { BenchApiError } from '../../bench/api';
import { runCeiling } from '../../bench/ceiling';
import { BENCH_DEFAULTS, BenchOptionError, resolveBenchOptions, type RawBenchOptions } from '../../bench/options';
import { ceilingProgress, renderCeilingReport, renderSagaReport, sagaProgress } from '../../bench/report';
import { renderHtmlReport } from '../../bench/html';
import { CeilingFileError, writeReport } from '../../bench/results';
import { writeFileSync } from 'node:fs';
import { runSagaBench } from '../../bench/saga';
import { loadConfig } from '../../lib/config';
import { CliError, EXIT } from '../errors';
import type { Io } from '../output';
import { progressLine } from '../progress';

const s = (ms: number) => `${ms / 1000}s`;

const HELP = `
Saga bench (default): places orders through the REST API (POST /orders, payment token tok_ok) as
--customers customers, on --pets pets of species "bench" (created as admin on first use with the
largest stock, kept, and topped up when low), and follows each order to OrderConfirmed or
OrderCancelled on the orders topic (a fresh consumer group from the current end; the API is never
polled). Latency is POST sent -> OrderConfirmed seen.
It also samples a few confirmed sagas' Temporal history (events and state transitions per order),
the outbox publish lag of every event of its orders, and the peak VmRSS of the petstore processes.
Cost: CPU time per confirmed order of every local process of the system (each petstore serve of this
checkout, and the stack's Temporal server, Postgres and Kafka, their child processes included), read
from /proc over the load and the drain, with each one's idle CPU measured for --idle before the load;
Postgres transactions per order (pg_stat_database) and Kafka requests per order by API (the serve
processes' petstore_kafka_requests_total).

Ceiling (--ceiling): runs a no-op workflow of the saga's shape (bench/ceiling-workflow.ts) on its own
task queue, with an in-process worker built from the saga worker's settings, as fast as --concurrency
allows; its workflows per second are the ceiling. A saga bench shows its throughput as a percentage of
--ceiling-from, or of the newest ceiling result of the same (UTC) day in its output folder.

Load: --rate (open loop, default ${BENCH_DEFAULTS.rate}/s) or --concurrency (closed loop), until --duration
(default ${s(BENCH_DEFAULTS.durationMs)}) or --orders, whichever comes first. The API is --api-url (a global option; default
PETSTORE_API_URL or http://127.0.0.1:3000); Kafka and Temporal come from the environment as for
every command. The report goes to stdout (a table, or one JSON document with --json) and always to
--out, with a self-contained HTML page of charts beside it (same name, .html); progress goes to stderr on a terminal. Ctrl-C ends the run early and still reports.
Exit code: 0 with a report, 1 when no order (or ceiling workflow) completed, 2 for bad options.

Example:
  $ petstore bench --rate 25 --duration 5m --customers 200
  $ petstore bench --concurrency 50 --orders 2000 --json > run.json
  $ petstore bench --ceiling --duration 30s --concurrency 20
  $ petstore bench --rate 15 --duration 20s --ceiling-from .petstore/bench/2025-03-01T12-00-00Z-ceiling.json
  $ petstore --api-url http://127.0.0.1:3100 bench --rate 10 --duration 20s --pid 4242`;

/** `petstore bench`: the saga load benchmark, and with --ceiling the Temporal throughput ceiling. */
export function benchCommand(io: Io): Command {
  return new Command('bench')
    .description('load benchmark: orders through the REST API followed on Kafka (orders/s, latency, errors, memory), or --ceiling')
    .option('--ceiling', 'measure the ceiling instead: a no-op workflow of the saga\'s shape on its own task queue (e.g. --ceiling --duration 30s)')
    .option('--rate <n>', `orders per second, sent on schedule whatever the answers (open loop), e.g. --rate 25 (default ${BENCH_DEFAULTS.rate} unless --concurrency)`)
    .option('--concurrency <n>', `orders in flight at once: each slot places its next order when the last is done (closed loop), e.g. --concurrency 50; with --ceiling: workflows in flight (default ${BENCH_DEFAULTS.ceilingConcurrency})`)
    .option('--duration <d>', `how long to place orders, e.g. --duration 5m, 20s (default ${s(BENCH_DEFAULTS.durationMs)} unless --orders)`)
    .option('--orders <n>', 'how many orders to place, e.g. --orders 2000 (with --duration: whichever limit comes first)')
    .option('--customers <n>', `customers to spread the orders over (each has a write limit and a hold limit), e.g. --customers 200 (default ${BENCH_DEFAULTS.customers})`)
    .option('--pets <n>', `bench pets to spread the orders over (made when missing), e.g. --pets 20 (default ${BENCH_DEFAULTS.pets})`)
    .option('--drain <d>', `after the last order, how long to wait for open orders to finish, e.g. --drain 1m (default ${s(BENCH_DEFAULTS.drainMs)})`)
    .option('--order-timeout <d>', `an order not confirmed or cancelled this long after its POST counts as a timeout error (it is still followed), e.g. --order-timeout 2m (default ${s(BENCH_DEFAULTS.orderTimeoutMs)})`)
    .option('--sample <n>', `completed workflows whose Temporal history is measured, e.g. --sample 10 (default ${BENCH_DEFAULTS.sample}; 0: none)`)
    .option('--pid <pid>', 'a petstore process to sample the memory of, repeatable, e.g. --pid 4242 --pid 4243 (default: every `petstore serve`/`start` found in /proc)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--out <file>', 'where the JSON report is written, e.g. --out runs/baseline.json (default .petstore/bench/<timestamp>-<saga|ceiling>.json)')
    .option('--ceiling-from <file>', 'a ceiling result to compare the throughput with, e.g. --ceiling-from .petstore/bench/2025-03-01T12-00-00Z-ceiling.json')
    .option('--idle <d>', `measure each process's idle CPU this long before the load, e.g. --idle 10s (default ${s(BENCH_DEFAULTS.idleMs)}; 0: skip)`)
    .option('--metrics-url <url>', 'a petstore /metrics page whose Kafka request counts are read, repeatable (default: the API process\'s internal listener, METRICS_HOST:METRICS_PORT/metrics)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--audit', 'once the run ends, read the books of every order it placed from Postgres: oversells, double charges, lost events, duplicate effects (exit 1 if any)')
    .addOption(new Option('--json', 'print the report as one JSON document on stdout (ordersPerSecond, latencyMs, errors, open, rssMiB, ...)'))
    .addHelpText('after', HELP)
    .action(async (raw: RawBenchOptions, command: Command) => {
      const config = loadConfig();
      let plan;
      try {
        plan = resolveBenchOptions(raw, { dataDir: config.dataDir, now: new Date() });
      } catch (error) {
        if (error instanceof BenchOptionError) throw new CliError(error.message, EXIT.usage);
        throw error;
      }
      const controller = new AbortController();
      const progress = progressLine(io, process.stderr);
      const interrupt = () => {
        // A second Ctrl-C falls through to Node's default: exit at once.
        process.off('SIGINT', interrupt);
        controller.abort();
        progress.clear();
        io.err('interrupted: finishing up and reporting (Ctrl-C again to quit at once)');
      };
      process.on('SIGINT', interrupt);
      try {
        if (plan.mode === 'ceiling') {
          if (io.interactive) io.err('starting the ceiling worker (bundling the workflow takes a few seconds)');
          const result = await runCeiling(plan, { config, signal: controller.signal, onProgress: (p) => progress.update(ceilingProgress(p)) });
          progress.stop();
          const report = { ...result, file: plan.out };
          writeReport(plan.out, report);
          io.out(plan.json ? JSON.stringify(report, null, 2) : renderCeilingReport(report));
          if (report.completed === 0) throw new CliError('no ceiling workflow completed: is the Temporal server up (petstore stack status)?');
          return;
        }
        const apiUrl = (command.optsWithGlobals<{ apiUrl?: string }>().apiUrl ?? config.cli.apiUrl).replace(/\/+$/, '');
        const result = await runSagaBench(plan, { config, apiUrl, signal: controller.signal, onProgress: (p) => progress.update(sagaProgress(p)) });
        progress.stop();
        const report = { ...result, file: plan.out };
        writeReport(plan.out, report);
        // The same run as a page of charts, beside the JSON.
        const page = plan.out.replace(/\.json$/, '') + '.html';
        writeFileSync(page, renderHtmlReport(report));
        io.out(plan.json ? JSON.stringify(report, null, 2) : `${renderSagaReport(report)}\nchart: ${page}`);
        if (report.orders.confirmed === 0) throw new CliError(`no order was confirmed (errors: ${JSON.stringify(report.errors)})`);
        const a = report.audit;
        if (a && a.oversells + a.doubleCharges + a.lostEvents + a.duplicateEffects > 0) throw new CliError('the books do not balance: see the problems above');
      } catch (error) {
        if (error instanceof CeilingFileError) throw new CliError(error.message, EXIT.usage);
        if (error instanceof BenchApiError) throw new CliError(error.message);
        throw error;
      } finally {
        progress.stop();
        process.off('SIGINT', interrupt);
      }
    });
}
