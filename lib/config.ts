import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The checkout's root (the folder holding package.json), whether we run from source or from dist/. */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

/** Settings for the three infrastructure parts; `external` means configured, so the stack leaves it alone. */
export interface Config {
  dataDir: string;
  cacheDir: string;
  postgres: { url: string; external: boolean; port: number };
  kafka: { brokers: string[]; external: boolean; clientId: string; topicPartitions: number; replicationFactor: number };
  temporal: {
    address: string;
    namespace: string;
    external: boolean;
    uiUrl: string;
    uiPort: number;
    cliPath?: string;
    taskQueue: string;
  };
  logLevel: string;
}

/** Thrown when an environment variable has a value we cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function intFrom(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Local defaults: chosen to stay clear of a system Postgres (5432) and of each other. */
export const LOCAL_PORTS = { postgres: 55432, kafka: 9092, kafkaController: 9093, temporal: 7233, temporalUi: 8233 } as const;

/** Reads and validates the environment once; everything else takes a Config. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(nonEmpty(env, 'PETSTORE_DATA_DIR') ?? join(projectRoot, '.petstore'));
  const cacheDir = resolve(
    nonEmpty(env, 'PETSTORE_CACHE_DIR') ?? join(nonEmpty(env, 'XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'petstore'),
  );

  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${databaseUrl}"`);
  }
  const pgPort = intFrom(env, 'PETSTORE_POSTGRES_PORT', LOCAL_PORTS.postgres);

  const brokersRaw = nonEmpty(env, 'KAFKA_BROKERS');
  const brokers = (brokersRaw ?? `127.0.0.1:${LOCAL_PORTS.kafka}`).split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker)) throw new ConfigError(`KAFKA_BROKERS entries must be host:port, got "${broker}"`);
  }

  const temporalAddress = nonEmpty(env, 'TEMPORAL_ADDRESS');
  const uiPort = intFrom(env, 'PETSTORE_TEMPORAL_UI_PORT', LOCAL_PORTS.temporalUi);

  return {
    dataDir,
    cacheDir,
    postgres: {
      url: databaseUrl ?? `postgres://postgres:petstore@127.0.0.1:${pgPort}/petstore`,
      external: databaseUrl !== undefined,
      port: pgPort,
    },
    kafka: {
      brokers,
      external: brokersRaw !== undefined,
      clientId: nonEmpty(env, 'KAFKA_CLIENT_ID') ?? 'petstore',
      topicPartitions: intFrom(env, 'KAFKA_TOPIC_PARTITIONS', 6),
      replicationFactor: intFrom(env, 'KAFKA_REPLICATION_FACTOR', 1),
    },
    temporal: {
      address: temporalAddress ?? `127.0.0.1:${LOCAL_PORTS.temporal}`,
      namespace: nonEmpty(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      external: temporalAddress !== undefined,
      uiUrl: nonEmpty(env, 'TEMPORAL_UI_URL') ?? `http://127.0.0.1:${uiPort}`,
      uiPort,
      cliPath: nonEmpty(env, 'TEMPORAL_CLI'),
      taskQueue: nonEmpty(env, 'TEMPORAL_TASK_QUEUE') ?? 'petstore',
    },
    logLevel: nonEmpty(env, 'LOG_LEVEL') ?? 'info',
  };
}
