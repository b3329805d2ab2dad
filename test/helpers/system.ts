import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';
import { issueToken } from '../../lib/auth';
import { waitFor } from '../../lib/wait';
import { testConfig } from './config';

/** A running petstore (all four services, the worker and the API) in a child process, as `petstore serve` runs it. */
export interface RunningSystem {
  baseUrl: string;
  /** The internal listener: /metrics, /internal/readyz, /internal/notifications. */
  internalUrl: string;
  process: ChildProcess;
  /** Output so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `petstore serve --seed` on a free port and waits until /readyz says every part is up. */
export async function startSystem(env: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const port = await freePort();
  const internalPort = await freePort();
  const child = spawn(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'serve', '--seed'], {
    cwd: projectRoot,
    // Webhooks (a subscription's URL may come from a fuzzer) go to loopback and nowhere else, not even a DNS lookup.
    env: { ...process.env, PORT: String(port), METRICS_PORT: String(internalPort), LOG_LEVEL: 'warn', WEBHOOK_ALLOW_LOOPBACK: 'only', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await waitFor(
    'petstore serve',
    async () => {
      if (child.exitCode !== null) throw new Error(`petstore serve exited with ${child.exitCode}`);
      return (await fetch(`${baseUrl}/readyz`)).ok;
    },
    { timeoutMs: 90_000, intervalMs: 250, hint: () => output.slice(-4000) },
  );
  return {
    baseUrl,
    internalUrl: `http://127.0.0.1:${internalPort}`,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A bearer token for the test system, signed with the same secret it uses. */
export const tokenFor = (role: 'customer' | 'support' | 'admin' | 'service', userId?: string): string =>
  issueToken(testConfig, { role, userId: userId ?? role, ttlSeconds: 3600 });

/** A small JSON client for the API. */
export function apiClient(baseUrl: string, token?: string) {
  return async function call<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
  };
}
