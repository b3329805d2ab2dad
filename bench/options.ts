// The options of `petstore bench`, checked once and turned into one of two run plans: the saga bench
// (orders through the REST API) or the ceiling (a no-op workflow of the saga's shape). Values come in
// as the strings typed, so every rule, and every message a bad value gets, lives here.
import { join } from 'node:path';
import { parseDuration } from '../lib/duration';

/** A bad option or combination: the CLI prints the message and exits 2. */
export class BenchOptionError extends Error {
  override name = 'BenchOptionError';
}

/** The options as commander hands them over: strings (repeatable --pid as a list), flags as booleans. */
export interface RawBenchOptions {
  ceiling?: boolean;
  rate?: string;
  concurrency?: string;
  duration?: string;
  orders?: string;
  customers?: string;
  pets?: string;
  drain?: string;
  orderTimeout?: string;
  sample?: string;
  pid?: string[];
  out?: string;
  ceilingFrom?: string;
  audit?: boolean;
  idle?: string;
  metricsUrl?: string[];
  json?: boolean;
}

/** Defaults, shared by the help text and the resolution. */
export const BENCH_DEFAULTS = {
  rate: 10,
  durationMs: 30_000,
  customers: 200,
  pets: 10,
  drainMs: 30_000,
  orderTimeoutMs: 60_000,
  sample: 5,
  idleMs: 5_000,
  ceilingConcurrency: 20,
} as const;

/** Where the load comes from: a steady rate of new orders (open loop) or a fixed number of orders in flight (closed loop). */
export type LoadShape = { kind: 'rate'; perSecond: number } | { kind: 'concurrency'; inFlight: number };

/** A saga bench, fully resolved. */
export interface SagaBenchPlan {
  mode: 'saga';
  load: LoadShape;
  /** Stop placing orders after this long (undefined: only --orders ends it). */
  durationMs: number | undefined;
  /** Stop after placing this many orders (undefined: only --duration ends it). */
  orders: number | undefined;
  customers: number;
  pets: number;
  drainMs: number;
  orderTimeoutMs: number;
  sample: number;
  pids: number[];
  out: string;
  ceilingFrom: string | undefined;
  /** Read the books of every order placed once the run ends (needs the database). */
  audit: boolean;
  /** How long the processes' idle CPU is measured before the load (0: not measured). */
  idleMs: number;
  /** Prometheus pages of the petstore processes whose Kafka requests are counted (default: the API's /metrics). */
  metricsUrls: string[] | undefined;
  json: boolean;
}

/** A ceiling run, fully resolved. */
export interface CeilingBenchPlan {
  mode: 'ceiling';
  durationMs: number;
  concurrency: number;
  sample: number;
  out: string;
  json: boolean;
}

/** What `petstore bench` runs. */
export type BenchPlan = SagaBenchPlan | CeilingBenchPlan;

const fail = (message: string): never => {
  throw new BenchOptionError(message);
};

function wholeNumber(name: string, raw: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  return Number.isSafeInteger(value) && value >= min && value <= max ? value : fail(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
}

function positiveRate(raw: string): number {
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  return value > 0 && value <= 1000 ? value : fail(`--rate must be a number of orders per second above 0 and at most 1000, e.g. 25 or 2.5, got "${raw}"`);
}

function duration(name: string, raw: string, minMs: number): number {
  const ms = parseDuration(raw);
  return ms !== undefined && ms >= minMs ? ms : fail(`${name} must be a duration of at least ${minMs >= 1000 ? `${minMs / 1000}s` : `${minMs}ms`} such as 20s, 5m or 1h, got "${raw}"`);
}

/** A file-name-safe UTC timestamp, to the second: 2025-03-01T12-00-00Z. */
export const fileStamp = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/:/g, '-');

/** The default result file of a run started at `now`: `<dataDir>/bench/<timestamp>-<kind>.json` (saga, ceiling or http). */
export const defaultOutFile = (dataDir: string, mode: BenchPlan['mode'] | 'http', now: Date): string => join(dataDir, 'bench', `${fileStamp(now)}-${mode}.json`);

const SAGA_ONLY = ['rate', 'orders', 'customers', 'pets', 'drain', 'orderTimeout', 'pid', 'ceilingFrom', 'audit', 'idle', 'metricsUrl'] as const;
const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Checks the options and resolves them into a plan, filling in the defaults; throws BenchOptionError on anything wrong. */
export function resolveBenchOptions(raw: RawBenchOptions, { dataDir, now }: { dataDir: string; now: Date }): BenchPlan {
  const sample = raw.sample === undefined ? BENCH_DEFAULTS.sample : wholeNumber('--sample', raw.sample, 0, 100);
  const json = Boolean(raw.json);

  if (raw.ceiling) {
    const misplaced = SAGA_ONLY.filter((key) => raw[key] !== undefined).map(flag);
    if (misplaced.length > 0) fail(`${misplaced.join(', ')} ${misplaced.length === 1 ? 'does' : 'do'} not apply to --ceiling (it takes --duration, --concurrency, --sample, --out, --json)`);
    return {
      mode: 'ceiling',
      durationMs: raw.duration === undefined ? BENCH_DEFAULTS.durationMs : duration('--duration', raw.duration, 1000),
      concurrency: raw.concurrency === undefined ? BENCH_DEFAULTS.ceilingConcurrency : wholeNumber('--concurrency', raw.concurrency, 1, 1000),
      sample,
      out: raw.out ?? defaultOutFile(dataDir, 'ceiling', now),
      json,
    };
  }

  if (raw.rate !== undefined && raw.concurrency !== undefined) fail('give --rate (orders per second) or --concurrency (orders in flight), not both');
  const load: LoadShape =
    raw.concurrency !== undefined
      ? { kind: 'concurrency', inFlight: wholeNumber('--concurrency', raw.concurrency, 1, 10_000) }
      : { kind: 'rate', perSecond: raw.rate === undefined ? BENCH_DEFAULTS.rate : positiveRate(raw.rate) };
  const orders = raw.orders === undefined ? undefined : wholeNumber('--orders', raw.orders, 1, 10_000_000);
  const durationMs = raw.duration !== undefined ? duration('--duration', raw.duration, 1000) : orders === undefined ? BENCH_DEFAULTS.durationMs : undefined;
  const pids = (raw.pid ?? []).map((pid) => wholeNumber('--pid', pid, 1, 2 ** 22));
  return {
    mode: 'saga',
    load,
    durationMs,
    orders,
    customers: raw.customers === undefined ? BENCH_DEFAULTS.customers : wholeNumber('--customers', raw.customers, 1, 100_000),
    pets: raw.pets === undefined ? BENCH_DEFAULTS.pets : wholeNumber('--pets', raw.pets, 1, 100),
    drainMs: raw.drain === undefined ? BENCH_DEFAULTS.drainMs : duration('--drain', raw.drain, 0),
    orderTimeoutMs: raw.orderTimeout === undefined ? BENCH_DEFAULTS.orderTimeoutMs : duration('--order-timeout', raw.orderTimeout, 1000),
    sample,
    pids: [...new Set(pids)],
    out: raw.out ?? defaultOutFile(dataDir, 'saga', now),
    ceilingFrom: raw.ceilingFrom,
    audit: raw.audit ?? false,
    idleMs: raw.idle === undefined ? BENCH_DEFAULTS.idleMs : duration('--idle', raw.idle, 0),
    metricsUrls: raw.metricsUrl?.map((url) => (/^https?:\/\/[^\s]+$/.test(url) ? url : fail(`--metrics-url must be an http(s) URL, got "${url}"`))),
    json,
  };
}
