import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import type { Config } from '../lib/config';
import { connectTemporal } from '../lib/temporal';
import { waitFor } from '../lib/wait';
import { daemon } from './daemon';
import { PrerequisiteError, type Progress, type StackPart } from './part';
import { ensureTemporalCli } from './temporal-cli';

/** gRPC NOT_FOUND: describeNamespace's answer for a namespace that does not exist. */
const NOT_FOUND = 5;
/** How long the local dev server keeps a closed saga's history in a namespace it registers (as start-dev's own: one day). */
const LOCAL_RETENTION = '1 day';

async function withConnection<T>(config: Config, fn: (connection: Awaited<ReturnType<typeof connectTemporal>>) => Promise<T>): Promise<T> {
  const connection = await connectTemporal(config, { connectTimeoutMs: 2000 });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/**
 * Registers the custom search attributes that are missing. `start-dev --search-attribute` only
 * writes them when the namespace is first created, so a persistent database needs this on every start.
 */
export async function ensureSearchAttributes(config: Config): Promise<string[]> {
  return withConnection(config, async (connection) => {
    const namespace = config.temporal.namespace;
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = Object.keys(CUSTOM_SEARCH_ATTRIBUTES).filter((name) => !(name in (customAttributes ?? {})));
    if (missing.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
      });
    }
    return missing;
  });
}

/** The codec server the local Temporal UI calls: the local API's /codec. */
export const localCodecEndpoint = (config: Config): string => `http://127.0.0.1:${config.http.port}/codec`;

/** The Temporal CLI dev server (frontend, UI, SQLite persistence), or TEMPORAL_ADDRESS. */
export function temporalPart(config: Config, progress: Progress): StackPart {
  const { external, address, namespace, uiUrl, uiPort } = config.temporal;
  const home = join(config.dataDir, 'temporal');
  const dbFile = join(home, 'temporal.db');
  const server = (cli = 'temporal') =>
    daemon({
      name: 'temporal',
      command: cli,
      args: [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(config.temporal.port),
        '--ui-port',
        String(uiPort),
        '--ui-disable-news-fetch',
        // The UI decrypts payloads through petstore's codec server (the API's /codec), for staff only.
        '--ui-codec-endpoint',
        localCodecEndpoint(config),
        '--db-filename',
        dbFile,
        ...config.temporal.sqlitePragmas.flatMap((pragma) => ['--sqlite-pragma', pragma]),
        '--namespace',
        namespace,
        ...Object.entries(CUSTOM_SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
        '--log-level',
        'warn',
      ],
      runDir: join(config.dataDir, 'run'),
      marker: dbFile,
    });

  const reachable = () =>
    withConnection(config, async (connection) => {
      await connection.workflowService.describeNamespace({ namespace });
      return true;
    }).catch(() => false);
  const serverAnswers = () =>
    withConnection(config, async (connection) => {
      await connection.workflowService.getSystemInfo({});
      return true;
    }).catch(() => false);
  // A running dev server knows only the namespaces it was started with: one asked for later
  // (PETSTORE_NAMESPACE, PETSTORE_NAMESPACE_TEMPORAL) is registered on the local server, never on an external one.
  const registerNamespace = () =>
    withConnection(config, async (connection) => {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return false;
      } catch (error) {
        if ((error as { code?: number }).code !== NOT_FOUND) throw error;
      }
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(LOCAL_RETENTION) });
      return true;
    });
  const uiAnswers = () =>
    fetch(uiUrl, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.ok)
      .catch(() => false);

  async function ready(hint?: () => string): Promise<void> {
    if (!external) {
      await waitFor(`Temporal at ${address}`, serverAnswers, { timeoutMs: 60_000, hint });
      if (await registerNamespace()) progress(`temporal: registered namespace ${namespace}`);
    }
    await waitFor(`Temporal at ${address} (namespace ${namespace})`, reachable, { timeoutMs: 60_000, hint });
    const added = await ensureSearchAttributes(config);
    if (added.length > 0) progress(`temporal: registered search attributes ${added.join(', ')}`);
  }

  return {
    name: 'temporal',
    async provision() {
      if (!external) await ensureTemporalCli(config, progress);
    },
    async start() {
      if (external) {
        await ready();
        return 'external';
      }
      const tracked = server();
      if (tracked.pid() !== undefined && (await serverAnswers())) {
        await ready();
        return 'reused';
      }
      if (tracked.pid() === undefined) {
        if (await serverAnswers()) throw new PrerequisiteError(`Port ${config.temporal.port} is taken by a Temporal server the stack did not start; stop it, or set TEMPORAL_ADDRESS.`);
        mkdirSync(home, { recursive: true });
        server(await ensureTemporalCli(config, progress)).start();
      }
      await ready(() => `log ${tracked.logFile}:\n${tracked.tail()}`);
      await waitFor(`Temporal UI at ${uiUrl}`, uiAnswers, { timeoutMs: 30_000 });
      return 'started';
    },
    async status() {
      const pid = external ? undefined : server().pid();
      const up = await reachable();
      return {
        up,
        endpoint: address,
        pid,
        external,
        links: external ? undefined : { ui: uiUrl },
        log: external ? undefined : server().logFile,
      };
    },
    stop: () => (external ? Promise.resolve(false) : server().stop(20_000)),
  };
}
