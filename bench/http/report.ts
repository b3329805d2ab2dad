// The HTTP bench's result: per endpoint, the petstore API and the bare route side by side, and the ratio.
import { columns } from '../report';

/** One autocannon run, reduced to what the report compares. */
export interface HttpFigures {
  requestsPerSecond: number;
  /** autocannon's percentiles are whole milliseconds; the mean is finer. */
  latencyMs: { p50: number; p99: number; mean: number };
  /** Requests answered with a status other than 2xx, plus connection errors and timeouts: should be 0. */
  failed: number;
  total: number;
}

/** One endpoint measured on both servers. */
export interface EndpointResult {
  endpoint: string;
  petstore: HttpFigures;
  bare: HttpFigures;
  /** petstore / bare: below 1 for req/s means the API serves fewer; above 1 for latency means it is slower. */
  ratio: { requestsPerSecond: number | null; p50: number | null; p99: number | null; mean: number | null };
}

/** The result of `npm run bench:http`. */
export interface HttpReport {
  kind: 'http';
  startedAt: string;
  finishedAt: string;
  options: { durationSec: number; warmupSec: number; connections: number };
  /** The petstore API's log level during the run (each request is logged at info). */
  logLevel: string;
  poolMax: number;
  endpoints: EndpointResult[];
  notes: string[];
  file: string;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

/** Pairs the two servers' figures for an endpoint. */
export function compareEndpoint(endpoint: string, petstore: HttpFigures, bare: HttpFigures): EndpointResult {
  return {
    endpoint,
    petstore,
    bare,
    ratio: {
      requestsPerSecond: ratio(petstore.requestsPerSecond, bare.requestsPerSecond),
      p50: ratio(petstore.latencyMs.p50, bare.latencyMs.p50),
      p99: ratio(petstore.latencyMs.p99, bare.latencyMs.p99),
      mean: ratio(petstore.latencyMs.mean, bare.latencyMs.mean),
    },
  };
}

const n = (value: number | null, digits = 0): string => (value === null ? '-' : value.toFixed(digits));

/** The table for people. */
export function renderHttpReport(r: HttpReport): string {
  const rows: string[][] = [['endpoint', 'server', 'req/s', 'p50 ms', 'p99 ms', 'mean ms', 'failed']];
  for (const e of r.endpoints) {
    rows.push([e.endpoint, 'petstore', n(e.petstore.requestsPerSecond), n(e.petstore.latencyMs.p50), n(e.petstore.latencyMs.p99), n(e.petstore.latencyMs.mean, 2), String(e.petstore.failed)]);
    rows.push(['', 'bare', n(e.bare.requestsPerSecond), n(e.bare.latencyMs.p50), n(e.bare.latencyMs.p99), n(e.bare.latencyMs.mean, 2), String(e.bare.failed)]);
    rows.push(['', 'petstore/bare', n(e.ratio.requestsPerSecond, 2), n(e.ratio.p50, 2), n(e.ratio.p99, 2), n(e.ratio.mean, 2), '']);
  }
  return [
    `npm run bench:http: ${r.options.connections} connections, ${r.options.durationSec}s per endpoint and server (after ${r.options.warmupSec}s warm-up), 127.0.0.1; petstore logging at ${r.logLevel}, pg pool max ${r.poolMax}`,
    '',
    columns(rows),
    ...(r.notes.length ? ['', ...r.notes.map((note) => `note: ${note}`)] : []),
    '',
    `written to ${r.file}`,
  ].join('\n');
}
