// Options of `npm run bench:http -- [options]`, checked before anything starts.
import { parseArgs } from 'node:util';
import { parseDuration } from '../../lib/duration';
import { defaultOutFile } from '../options';

/** A bad option: the script prints the message with the usage and exits 2. */
export class HttpBenchOptionError extends Error {
  override name = 'HttpBenchOptionError';
}

/** The HTTP bench's plan. */
export interface HttpBenchPlan {
  /** Measured seconds per endpoint and server. */
  durationSec: number;
  /** Unmeasured seconds per endpoint and server before it, so both start warm (JIT, pools, caches). */
  warmupSec: number;
  connections: number;
  json: boolean;
  out: string;
  help: boolean;
}

/** The usage text, with an example of each option. */
export const HTTP_BENCH_USAGE = `usage: npm run bench:http -- [options]

GET /pets, GET /pets/:id and GET /orders/:id of the petstore API (built and served in this process,
as \`petstore serve\` builds it) beside bare Fastify routes running the identical SQL on a pool of the
same settings, each measured with autocannon on 127.0.0.1, one after the other.

  --duration <d>      measured time per endpoint and server, e.g. --duration 10s (default 10s)
  --warmup <d>        unmeasured time before each, e.g. --warmup 2s (default 2s; 0s: none)
  --connections <n>   concurrent connections, e.g. --connections 20 (default 10)
  --out <file>        where the JSON result goes, e.g. --out runs/http.json (default .petstore/bench/<timestamp>-http.json)
  --json              print the result as one JSON document instead of the table
  --help              this text

Example:
  $ npm run bench:http -- --duration 5s --connections 10`;

const seconds = (name: string, raw: string, min: number): number => {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < min * 1000 || ms % 1000 !== 0) throw new HttpBenchOptionError(`${name} must be whole seconds, at least ${min}s, such as 5s or 1m, got "${raw}"`);
  return ms / 1000;
};

/** Parses the script's arguments (after `--`). */
export function parseHttpBenchArgs(argv: string[], { dataDir, now }: { dataDir: string; now: Date }): HttpBenchPlan {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        out: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new HttpBenchOptionError((error as Error).message);
  }
  const connections = values.connections === undefined ? 10 : Number(values.connections);
  if (!Number.isInteger(connections) || connections < 1 || connections > 1000) {
    throw new HttpBenchOptionError(`--connections must be a whole number from 1 to 1000, got "${String(values.connections)}"`);
  }
  return {
    durationSec: values.duration === undefined ? 10 : seconds('--duration', values.duration as string, 1),
    warmupSec: values.warmup === undefined ? 2 : seconds('--warmup', values.warmup as string, 0),
    connections,
    json: Boolean(values.json),
    out: (values.out as string | undefined) ?? defaultOutFile(dataDir, 'http', now),
    help: Boolean(values.help),
  };
}
