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
  kafka: {
    brokers: string[];
    external: boolean;
    clientId: string;
    topicPartitions: number;
    replicationFactor: number;
    /** Ports of the local broker (unused when external). */
    port: number;
    controllerPort: number;
  };
  temporal: {
    address: string;
    namespace: string;
    external: boolean;
    uiUrl: string;
    uiPort: number;
    /** Port of the local dev server's frontend (unused when external). */
    port: number;
    cliPath?: string;
    taskQueue: string;
  };
  http: { host: string; port: number };
  auth: {
    /** HS256 secret; when unset, one is generated once and kept in the data folder (see lib/auth.ts). */
    jwtSecret?: string;
    issuer: string;
    audience: string;
  };
  saga: {
    /** How long the saga waits for Inventory's answer before it cancels. */
    inventoryDeadlineMs: number;
    /** How long the saga waits for a successful payment before it cancels. */
    paymentDeadlineMs: number;
    /** After a decline, how long the customer may retry with another method (0: cancel at once). */
    paymentRetryWindowMs: number;
  };
  consumers: {
    /** Attempts at one message before it goes to the group's dead-letter topic. */
    maxAttempts: number;
  };
  cli: {
    /** Where the CLI finds the REST API. */
    apiUrl: string;
    /** The bearer token the CLI sends, when given by environment. */
    token?: string;
  };
  logLevel: string;
}

/** Thrown when an environment variable has a value we cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Every environment variable petstore reads, with what it means (README and the compose test use this list). */
export const ENV_VARS = {
  DATABASE_URL: 'PostgreSQL connection URL; set it and the stack does not start its own Postgres',
  KAFKA_BROKERS: 'comma-separated host:port list; set it and the stack does not start its own Kafka',
  KAFKA_CLIENT_ID: 'kafkajs client id (default petstore)',
  KAFKA_TOPIC_PARTITIONS: 'partitions of the topics petstore creates (default 6)',
  KAFKA_REPLICATION_FACTOR: 'replication factor of the topics petstore creates (default 1)',
  TEMPORAL_ADDRESS: 'Temporal frontend host:port; set it and the stack does not start its own dev server',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  TEMPORAL_TASK_QUEUE: 'task queue of the saga worker (default petstore)',
  TEMPORAL_UI_URL: 'base URL of the Temporal UI, for the links petstore prints',
  TEMPORAL_CLI: 'path of a temporal binary to run the local dev server with',
  PETSTORE_DATA_DIR: 'data folder of the local stack (default .petstore in the checkout)',
  PETSTORE_CACHE_DIR: 'download cache (default ~/.cache/petstore)',
  PETSTORE_POSTGRES_PORT: 'port of the local Postgres (default 55432)',
  PETSTORE_KAFKA_PORT: 'port of the local Kafka broker (default 9092)',
  PETSTORE_KAFKA_CONTROLLER_PORT: 'port of the local KRaft controller (default 9093)',
  PETSTORE_TEMPORAL_PORT: 'port of the local Temporal frontend (default 7233)',
  PETSTORE_TEMPORAL_UI_PORT: 'port of the local Temporal UI (default 8233)',
  HOST: 'address the REST API listens on (default 127.0.0.1)',
  PORT: 'port the REST API listens on (default 3000)',
  JWT_SECRET: 'HS256 secret for bearer tokens (default: generated once into the data folder)',
  JWT_ISSUER: 'issuer the API requires in tokens (default petstore)',
  JWT_AUDIENCE: 'audience the API requires in tokens (default petstore-api)',
  INVENTORY_DEADLINE: 'how long an order waits for Inventory, e.g. 30s (default 30s)',
  PAYMENT_DEADLINE: 'how long an order waits for a successful payment, e.g. 15m (default 15m)',
  PAYMENT_RETRY_WINDOW: 'after a decline, how long the customer may retry, e.g. 5m (default 0: cancel at once)',
  CONSUMER_MAX_ATTEMPTS: 'attempts at a failing message before it is dead-lettered (default 5)',
  PETSTORE_API_URL: 'where the petstore CLI finds the REST API (default http://127.0.0.1:3000)',
  PETSTORE_TOKEN: 'bearer token the petstore CLI sends (or --token)',
  LOG_LEVEL: 'pino log level (default info)',
} as const;

function intFrom(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be a whole number of at least ${min}, got "${raw}"`);
  }
  return value;
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses durations such as 500ms, 30s, 15m, 1h (a bare number is milliseconds). */
export function parseDuration(raw: string): number | undefined {
  const match = raw.trim().match(/^(\d+)(ms|s|m|h)?$/);
  return match ? Number(match[1]) * UNITS_MS[match[2] ?? 'ms']! : undefined;
}

function durationFrom(env: Env, name: string, fallback: string): number {
  const raw = nonEmpty(env, name) ?? fallback;
  const value = parseDuration(raw);
  if (value === undefined) throw new ConfigError(`${name} must be a duration such as 500ms, 30s, 15m or 1h, got "${raw}"`);
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

  const kafkaPort = intFrom(env, 'PETSTORE_KAFKA_PORT', LOCAL_PORTS.kafka);
  const brokersRaw = nonEmpty(env, 'KAFKA_BROKERS');
  const brokers = (brokersRaw ?? `127.0.0.1:${kafkaPort}`).split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker)) throw new ConfigError(`KAFKA_BROKERS entries must be host:port, got "${broker}"`);
  }

  const temporalAddress = nonEmpty(env, 'TEMPORAL_ADDRESS');
  const temporalPort = intFrom(env, 'PETSTORE_TEMPORAL_PORT', LOCAL_PORTS.temporal);
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
      port: kafkaPort,
      controllerPort: intFrom(env, 'PETSTORE_KAFKA_CONTROLLER_PORT', LOCAL_PORTS.kafkaController),
    },
    temporal: {
      address: temporalAddress ?? `127.0.0.1:${temporalPort}`,
      namespace: nonEmpty(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      external: temporalAddress !== undefined,
      uiUrl: nonEmpty(env, 'TEMPORAL_UI_URL') ?? `http://127.0.0.1:${uiPort}`,
      uiPort,
      port: temporalPort,
      cliPath: nonEmpty(env, 'TEMPORAL_CLI'),
      taskQueue: nonEmpty(env, 'TEMPORAL_TASK_QUEUE') ?? 'petstore',
    },
    http: { host: nonEmpty(env, 'HOST') ?? '127.0.0.1', port: intFrom(env, 'PORT', 3000, 0) },
    auth: {
      jwtSecret: nonEmpty(env, 'JWT_SECRET'),
      issuer: nonEmpty(env, 'JWT_ISSUER') ?? 'petstore',
      audience: nonEmpty(env, 'JWT_AUDIENCE') ?? 'petstore-api',
    },
    saga: {
      inventoryDeadlineMs: durationFrom(env, 'INVENTORY_DEADLINE', '30s'),
      paymentDeadlineMs: durationFrom(env, 'PAYMENT_DEADLINE', '15m'),
      paymentRetryWindowMs: durationFrom(env, 'PAYMENT_RETRY_WINDOW', '0s'),
    },
    consumers: { maxAttempts: intFrom(env, 'CONSUMER_MAX_ATTEMPTS', 5) },
    cli: { apiUrl: (nonEmpty(env, 'PETSTORE_API_URL') ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''), token: nonEmpty(env, 'PETSTORE_TOKEN') },
    logLevel: nonEmpty(env, 'LOG_LEVEL') ?? 'info',
  };
}
