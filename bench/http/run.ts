// `npm run bench:http`: the petstore API's reads against bare Fastify routes that run the same SQL,
// both served by this process on 127.0.0.1 and measured with autocannon one after the other, so the
// ratio shows what the API's own layers (auth, validation, schemas, mapping, logging) cost per request.
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import pino from 'pino';
import { createDb } from '../../db/knex';
import { ROLE, issueToken } from '../../lib/auth';
import { ConfigError, loadConfig, type Config } from '../../lib/config';
import type { Component } from '../../lib/lifecycle';
import { createLogger } from '../../lib/logger';
import { serveComponents } from '../../runtime/serve';
import { writeReport } from '../results';
import { buildBareApp, recordQueries, type SentQuery } from './bare';
import { HTTP_BENCH_USAGE, HttpBenchOptionError, parseHttpBenchArgs, type HttpBenchPlan } from './options';
import { compareEndpoint, renderHttpReport, type EndpointResult, type HttpFigures, type HttpReport } from './report';

const HOST = '127.0.0.1';

/** A free port on the loopback address, for the petstore API (its server takes a port from config, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function measure(url: string, headers: Record<string, string>, plan: HttpBenchPlan, seconds: number): Promise<HttpFigures> {
  const result = await autocannon({ url, headers, connections: plan.connections, duration: seconds, pipelining: 1 });
  return {
    requestsPerSecond: Math.round(result.requests.average * 10) / 10,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, mean: Math.round(result.latency.average * 100) / 100 },
    failed: result.non2xx + result.errors + result.timeouts,
    total: result.requests.total,
  };
}

const show = (queries: SentQuery[]) => queries.map((q) => `  ${q.text} ${JSON.stringify(q.values)}`).join('\n') || '  (none)';

/** Runs the HTTP bench; resolves with its report (also written to plan.out). */
export async function runHttpBench(plan: HttpBenchPlan, config: Config, progress: (line: string) => void): Promise<HttpReport> {
  const startedAt = new Date();
  const port = await freePort();
  // The API logs as in production (each request at the configured level, serialised by pino), but into
  // /dev/null: over the results it would bury them, and on disk a run writes tens of megabytes.
  const logger = createLogger(config.logLevel, pino.destination({ dest: '/dev/null', sync: false }));
  // Budgets far above what autocannon sends, so the limiter is measured (it runs) but never answers 429; no internal listener.
  const unlimited = { store: 'memory' as const, windowMs: 60_000, perIp: 1e9, reads: 1e9, writes: 1e9 };
  const apiConfig: Config = { ...config, http: { ...config.http, host: HOST, port }, rateLimit: unlimited, metrics: { ...config.metrics, off: true } };
  const components: Component[] = serveComponents({ config: apiConfig, logger, options: { roles: ['api'] } });
  const db = createDb(config, { poolMax: config.postgres.poolMax });
  const bare = buildBareApp(db);
  const started: Component[] = [];
  try {
    for (const component of components) {
      await component.start();
      started.push(component);
    }
    const bareUrl = await bare.listen({ host: HOST, port: 0 });
    const apiUrl = `http://${HOST}:${port}`;

    const pet = (await db.withSchema('inventory').table('pets').whereNull('deleted_at').orderBy(['created_at', 'id']).first('id')) as { id: string } | undefined;
    const order = (await db.withSchema('orders').table('orders').orderBy('created_at', 'desc').first('id')) as { id: string } | undefined;
    if (!pet) throw new Error('the catalogue is empty: run `petstore seed` first');
    if (!order) throw new Error('there is no order to read: place one first (e.g. `petstore bench --rate 5 --duration 5s`)');
    const support = { authorization: `Bearer ${issueToken(config, { role: ROLE.support, userId: 'petstore-bench', ttlSeconds: 3600 })}` };
    const endpoints = [
      { name: 'GET /pets', path: '/pets', headers: {} },
      { name: 'GET /pets/:id', path: `/pets/${pet.id}`, headers: {} },
      { name: 'GET /orders/:id', path: `/orders/${order.id}`, headers: support },
    ];

    // Same statements or no comparison: a repository that changed its SQL must not go unnoticed here.
    for (const e of endpoints) {
      let apiStatus = 0;
      let bareStatus = 0;
      const viaApi = await recordQueries(async () => void (apiStatus = (await fetch(`${apiUrl}${e.path}`, { headers: e.headers })).status));
      const viaBare = await recordQueries(async () => void (bareStatus = (await fetch(`${bareUrl}${e.path}`)).status));
      if (apiStatus !== 200 || bareStatus !== 200) throw new Error(`${e.name}: the petstore API answered ${apiStatus}, the bare route ${bareStatus} (both must answer 200)`);
      if (JSON.stringify(viaApi) !== JSON.stringify(viaBare)) {
        throw new Error(`${e.name}: the bare route no longer sends the petstore API's SQL; update bench/http/bare.ts\npetstore:\n${show(viaApi)}\nbare:\n${show(viaBare)}`);
      }
    }

    const results: EndpointResult[] = [];
    for (const e of endpoints) {
      const figures: Record<'petstore' | 'bare', HttpFigures> = {} as Record<'petstore' | 'bare', HttpFigures>;
      for (const [side, base] of [['petstore', apiUrl], ['bare', bareUrl]] as const) {
        const headers = side === 'petstore' ? e.headers : {};
        if (plan.warmupSec > 0) {
          progress(`${e.name} ${side}: warming up ${plan.warmupSec}s`);
          await measure(`${base}${e.path}`, headers, plan, plan.warmupSec);
        }
        progress(`${e.name} ${side}: measuring ${plan.durationSec}s`);
        figures[side] = await measure(`${base}${e.path}`, headers, plan, plan.durationSec);
      }
      results.push(compareEndpoint(e.name, figures.petstore, figures.bare));
    }

    const report: HttpReport = {
      kind: 'http',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { durationSec: plan.durationSec, warmupSec: plan.warmupSec, connections: plan.connections },
      logLevel: config.logLevel,
      poolMax: config.postgres.poolMax,
      endpoints: results,
      notes: [
        'the petstore API, the bare routes and autocannon share this process (and the machine\'s cores), one endpoint and server at a time',
        `the petstore API logged at ${config.logLevel} (LOG_LEVEL) into /dev/null`,
      ],
      file: plan.out,
    };
    writeReport(plan.out, report);
    return report;
  } finally {
    await bare.close();
    await db.destroy();
    for (const component of started.reverse()) await component.stop().catch(() => undefined);
    logger.flush();
  }
}

/** The script's entry: parses argv, runs, prints; exit code 0 (done), 1 (failed) or 2 (bad options). */
export async function main(argv: string[]): Promise<number> {
  let plan: HttpBenchPlan;
  let config: Config;
  try {
    config = loadConfig();
    plan = parseHttpBenchArgs(argv, { dataDir: config.dataDir, now: new Date() });
  } catch (error) {
    if (error instanceof HttpBenchOptionError || error instanceof ConfigError) {
      process.stderr.write(`error: ${error.message}\n\n${HTTP_BENCH_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (plan.help) {
    process.stdout.write(`${HTTP_BENCH_USAGE}\n`);
    return 0;
  }
  try {
    const report = await runHttpBench(plan, config, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${plan.json ? JSON.stringify(report, null, 2) : renderHttpReport(report)}\n`);
    return report.endpoints.some((e) => e.petstore.failed > 0 || e.bare.failed > 0) ? 1 : 0;
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
}
