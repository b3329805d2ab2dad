import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { testConfig } from '../helpers/config';
import { projectRoot } from '../../lib/config';
import { waitFor } from '../../lib/wait';
import { freePort } from '../helpers/system';
import { RELIABILITY_ENV } from './stack-env';

/** The processes the suite runs, each a `petstore serve` with one role, so each can be killed on its own. */
export const PART_ARGS = {
  api: ['--only', 'api'],
  worker: ['--service', 'orders', '--only', 'worker'],
  relay: ['--only', 'relay'],
  inventory: ['--service', 'inventory', '--only', 'consumers'],
  orders: ['--service', 'orders', '--only', 'consumers'],
  payments: ['--service', 'payments', '--only', 'consumers'],
  notifications: ['--service', 'notifications', '--only', 'consumers'],
} as const;
/** One of the suite's processes. */
export type PartName = keyof typeof PART_ARGS;
/** The consumer processes, one per service. */
export const CONSUMER_PARTS = ['inventory', 'orders', 'payments', 'notifications'] as const satisfies readonly PartName[];

interface Part {
  process?: ChildProcess;
  /** Set while the test keeps it down on purpose. */
  held: boolean;
  starts: number;
  crashes: number;
  /** Whether the part's current process said it is running. */
  running?: boolean;
  /** The end of the current process's own output: why it exited, when it did. */
  tail?: string;
}

/**
 * The system split into its processes, with a supervisor: a process that exits on its own (a
 * consumer that gave up, say) is restarted after a second, as systemd or Kubernetes would; one
 * the test killed stays down until the test starts it again.
 */
export interface SplitSystem {
  baseUrl: string;
  pid(name: PartName): number;
  /** SIGKILL, no goodbye; the part stays down until start(). */
  kill(name: PartName): void;
  /** Starts the part and waits until it runs. */
  start(name: PartName): Promise<void>;
  /** How often each part exited without being asked (and was restarted). */
  crashes(): Partial<Record<PartName, number>>;
  /** The last lines of every part's output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts every part with the private stack's settings and `env` on top. */
export async function startSplitSystem(env: Record<string, string> = {}): Promise<SplitSystem> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const parts = Object.fromEntries(Object.keys(PART_ARGS).map((name) => [name, { held: false, starts: 0, crashes: 0 }])) as Record<PartName, Part>;
  let log = '';
  let stopping = false;
  const append = (name: string, chunk: Buffer) => {
    log = (log + chunk.toString().replace(/^(?=.)/gm, `[${name}] `)).slice(-30_000);
  };

  function spawnPart(name: PartName): Promise<void> {
    const part = parts[name];
    part.held = false;
    part.starts++;
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'serve', ...PART_ARGS[name]], {
      cwd: projectRoot,
      env: { ...process.env, ...RELIABILITY_ENV, PORT: String(port), LOG_LEVEL: 'info', KAFKA_SESSION_TIMEOUT: '6s', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    part.process = child;
    part.running = false;
    part.tail = '';
    const own = (chunk: Buffer) => {
      if (part.process === child) part.tail = (part.tail + chunk.toString()).slice(-1500);
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      if (part.process === child && chunk.toString().includes('"msg":"running')) part.running = true;
      own(chunk);
      append(name, chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      own(chunk);
      append(name, chunk);
    });
    child.on('exit', (code, signal) => {
      if (part.process !== child || part.held || stopping) return;
      part.crashes++;
      append('supervisor', Buffer.from(`${name} exited (${signal ?? code}); restarting it in 1s; its last words:\n${part.tail}\n`));
      setTimeout(() => {
        if (!part.held && !stopping) void spawnPart(name).catch(() => undefined);
      }, 1000).unref();
    });
    return waitFor(
      `${name} to run`,
      async () => {
        // A part that crashes while starting is restarted by the supervisor: its successor counts.
        if (child.exitCode !== null && (part.held || stopping)) throw new Error(`${name} exited with ${child.exitCode}`);
        if (!part.running) return false;
        return name === 'api' ? (await fetch(`${baseUrl}/healthz`)).ok : true;
      },
      { timeoutMs: 150_000, intervalMs: 100, hint: () => log.slice(-4000) },
    ).then(() => undefined);
  }

  const exited = (child: ChildProcess) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((resolve) => child.once('exit', () => resolve())));

  const system: SplitSystem = {
    baseUrl,
    pid: (name) => parts[name].process!.pid!,
    kill(name) {
      const part = parts[name];
      part.held = true;
      if (part.process?.pid) process.kill(part.process.pid, 'SIGKILL'); // by pid, never by name
    },
    start: (name) => spawnPart(name),
    crashes: () => Object.fromEntries(Object.entries(parts).filter(([, p]) => p.crashes > 0).map(([n, p]) => [n, p.crashes])),
    output: () => log,
    async stop() {
      stopping = true;
      await Promise.all(
        Object.values(parts).map(async (part) => {
          if (!part.process) return;
          part.process.kill('SIGTERM');
          const timer = setTimeout(() => part.process?.kill('SIGKILL'), 20_000);
          await exited(part.process);
          clearTimeout(timer);
        }),
      );
    },
  };
  try {
    await Promise.all((Object.keys(PART_ARGS) as PartName[]).map((name) => spawnPart(name)));
  } catch (error) {
    await system.stop();
    throw error;
  }
  return system;
}

/**
 * For a describe block: starts the split system (with `env`) and a small pool on its database before
 * the tests and stops both after; the getters answer once beforeAll has run.
 */
export function useSplitSystem(env: Record<string, string> = {}): { readonly system: SplitSystem; readonly db: Knex } {
  let system: SplitSystem | undefined;
  let db: Knex | undefined;
  beforeAll(async () => {
    system = await startSplitSystem(env);
    db = createDb(testConfig, { poolMax: 4 });
    // Seven processes start at once: on a busy two-core machine that takes minutes, not seconds.
  }, 330_000);
  afterAll(async () => {
    await db?.destroy();
    await system?.stop();
  }, 60_000);
  return {
    get system() {
      return system!;
    },
    get db() {
      return db!;
    },
  };
}
