import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { redactUrl } from './redact';

/** The checkout's root (the folder holding package.json), whether we run from source or from dist/. */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(from, '..');
  }
}

/** TLS to Postgres with libpq's meanings: require encrypts only, verify-ca also checks the certificate's chain, verify-full its host name too. */
export type PostgresSslMode = 'off' | 'require' | 'verify-ca' | 'verify-full';
/** The SASL mechanisms petstore offers a Kafka cluster. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
/** One of KAFKA_SASL_MECHANISMS. */
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Settings for the three infrastructure parts; `external` means configured, so the stack leaves it alone. */
export interface Config {
  dataDir: string;
  cacheDir: string;
  postgres: {
    url: string;
    external: boolean;
    port: number;
    /** Connections the services' pool may open per process. */
    poolMax: number;
    /** Certificate files are paths, read when connecting; the URL's own ssl parameters are folded in here. */
    ssl: { mode: PostgresSslMode; caFile?: string; certFile?: string; keyFile?: string };
  };
  kafka: {
    brokers: string[];
    external: boolean;
    clientId: string;
    topicPartitions: number;
    replicationFactor: number;
    /** TLS to the brokers; a CA file replaces the system's trusted CAs. */
    ssl: { enabled: boolean; caFile?: string };
    /** SASL authentication, when the cluster asks for it. */
    sasl?: { mechanism: KafkaSaslMechanism; username: string; password: string };
    /** How old producers' and consumers' cluster metadata may get before a refresh: new partitions are used within it. */
    metadataMaxAgeMs: number;
    /** `min.insync.replicas` of the topics petstore creates: with acks=all, a write needs this many copies. */
    minInsyncReplicas: number;
    /** Ports of the local broker (unused when external). */
    port: number;
    controllerPort: number;
    /** The local KRaft nodes the stack runs (one by default), each a combined broker and controller. */
    nodes: LocalKafkaNode[];
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
    /** SQLite pragmas of the local dev server, as PRAGMA=VALUE (unused when external). */
    sqlitePragmas: string[];
    taskQueue: string;
    /** TLS to the frontend; a client certificate pair makes it mTLS. */
    tls: { enabled: boolean; caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
    /** Temporal Cloud API key, sent as a bearer token. */
    apiKey?: string;
    /** The saga worker's performance settings (the ceiling bench's worker uses them too). */
    worker: TemporalWorkerTuning;
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
  limits: {
    /** Units one customer may hold in open (reserved, unpaid) orders: a scalper cannot take a litter off the shelf. */
    heldUnitsPerCustomer: number;
  };
  consumers: {
    /** Attempts at one message before it goes to the group's dead-letter topic. */
    maxAttempts: number;
    /** How long the group waits for a silent member before giving its partitions to the others. */
    sessionTimeoutMs: number;
    /** Partitions of one group handled at once (kafkajs partitionsConsumedConcurrently). */
    partitionsConcurrently: number;
    /** How long the broker may hold a fetch while it has less than minBytes (kafkajs maxWaitTimeInMs). */
    maxWaitMs: number;
    /** Bytes the broker waits for before it answers a fetch (kafkajs minBytes). */
    minBytes: number;
  };
  relay: {
    /** Outbox rows read and published per batch. */
    batchSize: number;
    /** How often the relay looks at the outbox when no NOTIFY came (a notification can be missed on reconnects). */
    safetyPollMs: number;
    /** One idempotent producer per outbox schema, so a schema's publish never queues behind another's. */
    producerPerSchema: boolean;
  };
  cli: {
    /** Where the CLI finds the REST API. */
    apiUrl: string;
    /** The bearer token the CLI sends, when given by environment. */
    token?: string;
  };
  logLevel: string;
  /** How log lines are written; unset: pretty on a terminal, JSON lines otherwise. */
  logFormat?: LogFormat;
  metrics: {
    /** Port of a listener that serves only /metrics, for processes without the REST API (unset: none). */
    port?: number;
    /** Port where the Temporal worker's runtime serves its own Prometheus metrics (unset: off). */
    temporalPort?: number;
  };
  tracing: {
    /** Where spans go (OTLP/HTTP, the full .../v1/traces URL); unset: tracing is off. */
    endpoint?: string;
    /** Headers sent with every export (an API key, say); never printed. */
    headers: Record<string, string>;
    serviceName: string;
    /** Share of new traces recorded, 0 to 1; a trace started elsewhere follows its caller's decision. */
    sampleRatio: number;
  };
}

/** The Temporal worker's slots, pollers and cache: WorkerOptions of the same names. */
export interface TemporalWorkerTuning {
  /** Workflows kept in the sticky cache; undefined: the SDK's default (sized from the heap limit). */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions: number;
  maxConcurrentWorkflowTaskPolls: number;
  maxConcurrentLocalActivityExecutions: number;
  /** Pollers of the activity task queue; 0: this worker runs local activities only and does not poll it. */
  maxConcurrentActivityTaskPolls: number;
  reuseV8Context: boolean;
}

/** How log lines are written: JSON lines for machines, or pretty (one coloured line per entry) for people. */
export type LogFormat = 'json' | 'pretty';

/** Thrown when an environment variable has a value we cannot use. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

/** Every environment variable petstore reads, with what it means (README and the compose test use this list). */
/**
 * The local Temporal dev server writes every state transition to one SQLite file: a write-ahead log
 * with fsync at checkpoints (not at every commit) is what lets it keep up. A machine crash may lose
 * the last moments of the dev server's history; a process crash loses nothing.
 */
const DEFAULT_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

function sqlitePragmasFrom(env: NodeJS.ProcessEnv): string[] {
  const raw = env.PETSTORE_TEMPORAL_SQLITE_PRAGMAS?.trim();
  if (raw === undefined || raw === '') return DEFAULT_SQLITE_PRAGMAS;
  if (raw === 'none') return [];
  const pragmas = raw.split(',').map((p) => p.trim()).filter(Boolean);
  for (const pragma of pragmas) {
    if (!/^[a-z_]+=[A-Za-z0-9_-]+$/.test(pragma)) throw new ConfigError(`PETSTORE_TEMPORAL_SQLITE_PRAGMAS: "${pragma}" is not PRAGMA=VALUE`);
  }
  return pragmas;
}

export const ENV_VARS = {
  DATABASE_URL: 'PostgreSQL connection URL; set it and the stack does not start its own Postgres',
  DATABASE_SSL: 'TLS to Postgres: off, require, verify-ca or verify-full (default: the URL\'s sslmode, else verify-full with DATABASE_SSL_CA, else off)',
  DATABASE_SSL_CA: 'path of the CA certificate (PEM) that signed the Postgres server\'s certificate',
  DATABASE_POOL_MAX: 'connections the services\' pool may open per process (default 20)',
  KAFKA_BROKERS: 'comma-separated host:port list; set it and the stack does not start its own Kafka',
  KAFKA_CLIENT_ID: 'kafkajs client id (default petstore)',
  KAFKA_TOPIC_PARTITIONS: 'partitions of the topics petstore creates (default 6)',
  KAFKA_REPLICATION_FACTOR: 'replication factor of the topics petstore creates (default: 3 with three or more local brokers, else their count; 1 with KAFKA_BROKERS)',
  KAFKA_MIN_INSYNC_REPLICAS: 'min.insync.replicas of the topics petstore creates: copies an acks=all write needs (default 2 with a replication factor of 3 or more, else 1)',
  KAFKA_METADATA_MAX_AGE: 'how old the services\' Kafka metadata may get, e.g. 30s: partitions added to a topic are written and read within it (default 30s; kafkajs default 5m)',
  KAFKA_SSL: 'TLS to the brokers: on or off (default on with KAFKA_SSL_CA, else off)',
  KAFKA_SSL_CA: 'path of the CA certificate (PEM) that signed the brokers\' certificates (default: the system CAs)',
  KAFKA_SASL_MECHANISM: 'SASL authentication: plain, scram-sha-256 or scram-sha-512 (default none)',
  KAFKA_SASL_USERNAME: 'SASL user name (required with KAFKA_SASL_MECHANISM)',
  KAFKA_SASL_PASSWORD: 'SASL password (required with KAFKA_SASL_MECHANISM); never printed',
  TEMPORAL_ADDRESS: 'Temporal frontend host:port; set it and the stack does not start its own dev server',
  TEMPORAL_NAMESPACE: 'Temporal namespace (default "default")',
  TEMPORAL_TASK_QUEUE: 'task queue of the saga worker (default petstore)',
  TEMPORAL_TLS: 'TLS to the Temporal frontend: on or off (default on when an API key or any TEMPORAL_TLS_* is set, else off)',
  TEMPORAL_API_KEY: 'Temporal Cloud API key, sent as a bearer token; never printed',
  TEMPORAL_TLS_CERT: 'path of the client certificate (PEM) for mTLS, with TEMPORAL_TLS_KEY',
  TEMPORAL_TLS_KEY: 'path of the client certificate\'s private key (PEM) for mTLS, with TEMPORAL_TLS_CERT',
  TEMPORAL_TLS_CA: 'path of the CA certificate (PEM) that signed the frontend\'s certificate (default: the system CAs)',
  TEMPORAL_TLS_SERVER_NAME: 'host name to expect in the frontend\'s certificate, when it differs from TEMPORAL_ADDRESS',
  TEMPORAL_UI_URL: 'base URL of the Temporal UI, for the links petstore prints',
  TEMPORAL_CLI: 'path of a temporal binary to run the local dev server with',
  PETSTORE_DATA_DIR: 'data folder of the local stack (default .petstore in the checkout)',
  PETSTORE_CACHE_DIR: 'download cache (default ~/.cache/petstore)',
  PETSTORE_POSTGRES_PORT: 'port of the local Postgres (default 55432)',
  PETSTORE_KAFKA_PORT: 'port of the local Kafka broker (default 9092)',
  PETSTORE_KAFKA_CONTROLLER_PORT: 'port of the local KRaft controller (default 9093)',
  PETSTORE_KAFKA_BROKERS_COUNT: 'local Kafka nodes the stack runs, each a broker and controller (default 1); node n listens on PETSTORE_KAFKA_PORT+2(n-1) and PETSTORE_KAFKA_CONTROLLER_PORT+2(n-1)',
  PETSTORE_TEMPORAL_PORT: 'port of the local Temporal frontend (default 7233)',
  PETSTORE_TEMPORAL_UI_PORT: 'port of the local Temporal UI (default 8233)',
  PETSTORE_TEMPORAL_SQLITE_PRAGMAS: `SQLite pragmas of the local Temporal dev server, comma-separated PRAGMA=VALUE, or none (default ${DEFAULT_SQLITE_PRAGMAS.join(',')})`,
  HOST: 'address the REST API listens on (default 127.0.0.1)',
  PORT: 'port the REST API listens on (default 3000)',
  JWT_SECRET: 'HS256 secret for bearer tokens (default: generated once into the data folder)',
  JWT_ISSUER: 'issuer the API requires in tokens (default petstore)',
  JWT_AUDIENCE: 'audience the API requires in tokens (default petstore-api)',
  INVENTORY_DEADLINE: 'how long an order waits for Inventory, e.g. 30s (default 30s)',
  PAYMENT_DEADLINE: 'how long an order waits for a successful payment, e.g. 15m (default 15m)',
  PAYMENT_RETRY_WINDOW: 'after a decline, how long the customer may retry, e.g. 5m (default 0: cancel at once)',
  MAX_HELD_UNITS_PER_CUSTOMER: 'units one customer may hold in open orders at once (default 10); more is refused with HOLD_LIMIT',
  KAFKA_SESSION_TIMEOUT: 'consumer session timeout: how soon a dead instance\'s partitions move to the others (default 30s; at least 6s)',
  CONSUMER_MAX_ATTEMPTS: 'attempts at a failing message before it is dead-lettered (default 5)',
  CONSUMER_PARTITIONS_CONCURRENTLY: 'partitions one consumer group handles at once in a process (default 6; kafkajs default 1, untuned 3)',
  KAFKA_CONSUMER_MAX_WAIT: 'how long the broker may hold an empty fetch, e.g. 500ms; data is answered at once either way (default 500ms; untuned 50ms)',
  KAFKA_CONSUMER_MIN_BYTES: 'bytes the broker waits for before it answers a fetch (default 1)',
  OUTBOX_RELAY_BATCH: 'outbox events the relay reads and publishes at once per schema (default 500)',
  OUTBOX_RELAY_SAFETY_POLL: 'how often the relay looks at the outbox without a NOTIFY, e.g. 1s (default 1s); published events wake it at once',
  OUTBOX_RELAY_PRODUCER_PER_SCHEMA: 'on: one Kafka producer per outbox schema, so schemas publish side by side; off: one shared producer (default on; untuned off)',
  TEMPORAL_MAX_CACHED_WORKFLOWS: 'workflows the worker keeps in its sticky cache, or "sdk" for the SDK\'s heap-sized default (default 250; untuned sdk)',
  TEMPORAL_WORKFLOW_TASK_SLOTS: 'workflow tasks the worker runs at once (default 40, as the SDK)',
  TEMPORAL_WORKFLOW_TASK_POLLERS: 'workflow task long polls the worker keeps open, 2 to TEMPORAL_WORKFLOW_TASK_SLOTS (default 10, as the SDK; fewer starve first tasks)',
  TEMPORAL_LOCAL_ACTIVITY_SLOTS: 'local activities (the saga\'s database steps) the worker runs at once (default 100, as the SDK)',
  TEMPORAL_ACTIVITY_TASK_POLLERS: 'activity task long polls; 0: local activities only, no activity poller (default 0; untuned 10)',
  TEMPORAL_REUSE_V8_CONTEXT: 'on: one V8 context shared by all cached workflows (default on)',
  PETSTORE_API_URL: 'where the petstore CLI finds the REST API (default http://127.0.0.1:3000)',
  PETSTORE_TOKEN: 'bearer token the petstore CLI sends (or --token)',
  LOG_LEVEL: 'pino log level (default info)',
  LOG_FORMAT: 'json or pretty (default: pretty when stdout is a terminal, else json)',
  METRICS_PORT: 'port of a listener serving only /metrics on HOST, for processes without the REST API, e.g. serve --no-api (default none; the API serves /metrics itself)',
  TEMPORAL_METRICS_PORT: 'port where the Temporal worker\'s runtime serves its own Prometheus metrics (temporal_*) on HOST (default off)',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318; traces go to <url>/v1/traces (default: tracing off)',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'full OTLP/HTTP traces URL, instead of OTEL_EXPORTER_OTLP_ENDPOINT (default: tracing off)',
  OTEL_EXPORTER_OTLP_HEADERS: 'headers sent with every span export, as key=value,key2=value2 (values URL-encoded); never printed',
  OTEL_SERVICE_NAME: 'service.name of the exported spans (default petstore)',
  OTEL_TRACES_SAMPLER_ARG: 'share of new traces recorded, 0 to 1 (default 1); a trace continued from a caller keeps its decision',
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

/** TEMPORAL_MAX_CACHED_WORKFLOWS: a count (0 disables the cache), or "sdk" for the SDK's own default. */
function cachedWorkflowsFrom(env: Env, fallback: number | 'sdk'): number | undefined {
  const raw = nonEmpty(env, 'TEMPORAL_MAX_CACHED_WORKFLOWS');
  if (raw?.toLowerCase() === 'sdk' || (raw === undefined && fallback === 'sdk')) return undefined;
  return intFrom(env, 'TEMPORAL_MAX_CACHED_WORKFLOWS', fallback as number, 0);
}

function temporalWorkerFrom(env: Env): TemporalWorkerTuning {
  const tuning: TemporalWorkerTuning = {
    maxCachedWorkflows: cachedWorkflowsFrom(env, 250),
    maxConcurrentWorkflowTaskExecutions: intFrom(env, 'TEMPORAL_WORKFLOW_TASK_SLOTS', 40, 2),
    maxConcurrentWorkflowTaskPolls: intFrom(env, 'TEMPORAL_WORKFLOW_TASK_POLLERS', 10, 2),
    maxConcurrentLocalActivityExecutions: intFrom(env, 'TEMPORAL_LOCAL_ACTIVITY_SLOTS', 100),
    maxConcurrentActivityTaskPolls: intFrom(env, 'TEMPORAL_ACTIVITY_TASK_POLLERS', 0, 0),
    reuseV8Context: switchFrom(env, 'TEMPORAL_REUSE_V8_CONTEXT') ?? true,
  };
  // The SDK's own rule, said here with the variables' names rather than at worker start.
  if (tuning.maxConcurrentWorkflowTaskPolls > tuning.maxConcurrentWorkflowTaskExecutions) {
    throw new ConfigError(
      `TEMPORAL_WORKFLOW_TASK_POLLERS (${tuning.maxConcurrentWorkflowTaskPolls}) cannot be more than TEMPORAL_WORKFLOW_TASK_SLOTS (${tuning.maxConcurrentWorkflowTaskExecutions})`,
    );
  }
  return tuning;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

// Secrets are taken as given (a password may end in a space) and never echoed in an error.
function secretFrom(env: Env, name: string): string | undefined {
  const value = env[name];
  return value?.trim() ? value : undefined;
}

function switchFrom(env: Env, name: string): boolean | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  if (/^(on|true|1|yes)$/i.test(raw)) return true;
  if (/^(off|false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

// A missing certificate should stop the process at start with the variable's name, not at the first connection.
function existingFile(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  if (!existsSync(path)) throw new ConfigError(`${what} names a file that does not exist: "${path}"`);
  return resolve(path);
}

const named = (entries: [string, unknown][]): string[] => entries.filter(([, value]) => value !== undefined).map(([name]) => name);

function temporalSecurity(env: Env): Pick<Config['temporal'], 'tls' | 'apiKey'> {
  const certFile = existingFile(nonEmpty(env, 'TEMPORAL_TLS_CERT'), 'TEMPORAL_TLS_CERT');
  const keyFile = existingFile(nonEmpty(env, 'TEMPORAL_TLS_KEY'), 'TEMPORAL_TLS_KEY');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new ConfigError('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together (mTLS needs the client certificate and its key): set both or neither');
  }
  const caFile = existingFile(nonEmpty(env, 'TEMPORAL_TLS_CA'), 'TEMPORAL_TLS_CA');
  const serverName = nonEmpty(env, 'TEMPORAL_TLS_SERVER_NAME');
  const tlsOnly = named([['TEMPORAL_TLS_CERT', certFile], ['TEMPORAL_TLS_CA', caFile], ['TEMPORAL_TLS_SERVER_NAME', serverName]]);
  const apiKey = secretFrom(env, 'TEMPORAL_API_KEY');
  const explicit = switchFrom(env, 'TEMPORAL_TLS');
  if (explicit === false && tlsOnly.length > 0) {
    throw new ConfigError(`TEMPORAL_TLS is off, but TLS settings are set (${tlsOnly.join(', ')}): set TEMPORAL_TLS=on or unset them`);
  }
  // An API key over plain text is allowed when switched off on purpose (a sidecar that adds TLS); by default it gets TLS.
  return { tls: { enabled: explicit ?? (apiKey !== undefined || tlsOnly.length > 0), caFile, certFile, keyFile, serverName }, apiKey };
}

function kafkaSecurity(env: Env): Pick<Config['kafka'], 'ssl' | 'sasl'> {
  const caFile = existingFile(nonEmpty(env, 'KAFKA_SSL_CA'), 'KAFKA_SSL_CA');
  const explicit = switchFrom(env, 'KAFKA_SSL');
  if (explicit === false && caFile) throw new ConfigError('KAFKA_SSL is off, but KAFKA_SSL_CA only applies with SSL: set KAFKA_SSL=on or unset it');
  const ssl = { enabled: explicit ?? caFile !== undefined, caFile };

  const rawMechanism = nonEmpty(env, 'KAFKA_SASL_MECHANISM');
  const username = nonEmpty(env, 'KAFKA_SASL_USERNAME');
  const password = secretFrom(env, 'KAFKA_SASL_PASSWORD');
  if (rawMechanism === undefined) {
    const stray = named([['KAFKA_SASL_USERNAME', username], ['KAFKA_SASL_PASSWORD', password]]);
    if (stray.length > 0) throw new ConfigError(`${stray.join(' and ')} set without KAFKA_SASL_MECHANISM: set it to ${KAFKA_SASL_MECHANISMS.join(', ')}`);
    return { ssl };
  }
  const mechanism = KAFKA_SASL_MECHANISMS.find((m) => m === rawMechanism.toLowerCase());
  if (!mechanism) throw new ConfigError(`KAFKA_SASL_MECHANISM must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}, got "${rawMechanism}"`);
  if (username === undefined || password === undefined) {
    const missing = [username === undefined && 'KAFKA_SASL_USERNAME', password === undefined && 'KAFKA_SASL_PASSWORD'].filter(Boolean);
    throw new ConfigError(`KAFKA_SASL_MECHANISM=${mechanism} needs ${missing.join(' and ')}`);
  }
  return { ssl, sasl: { mechanism, username, password } };
}

const PG_SSL_MODES: readonly PostgresSslMode[] = ['off', 'require', 'verify-ca', 'verify-full'];
/**
 * libpq's sslmode values as ours. node-postgres cannot fall back to plain text, so prefer
 * means require, and allow (plain text first) means off.
 */
const SSLMODE_IN_URL: Record<string, PostgresSslMode> = {
  disable: 'off',
  allow: 'off',
  prefer: 'require',
  require: 'require',
  'no-verify': 'require',
  'verify-ca': 'verify-ca',
  'verify-full': 'verify-full',
};

function urlParams(url: string | undefined): URLSearchParams {
  try {
    return url ? new URL(url).searchParams : new URLSearchParams();
  } catch {
    return new URLSearchParams();
  }
}

function postgresSsl(env: Env, url: string | undefined): Config['postgres']['ssl'] {
  const params = urlParams(url);
  let fromUrl: PostgresSslMode | undefined;
  const sslmode = params.get('sslmode');
  const sslFlag = params.get('ssl');
  if (sslmode !== null) {
    fromUrl = SSLMODE_IN_URL[sslmode];
    if (!fromUrl) throw new ConfigError(`DATABASE_URL has sslmode=${sslmode}; use disable, require, verify-ca or verify-full`);
  } else if (sslFlag !== null) {
    // node-postgres's own ssl=true checks the certificate fully.
    if (/^(true|1)$/.test(sslFlag)) fromUrl = 'verify-full';
    else if (/^(false|0)$/.test(sslFlag)) fromUrl = 'off';
    else throw new ConfigError(`DATABASE_URL has ssl=${sslFlag}; use sslmode=disable, require, verify-ca or verify-full`);
  }

  const raw = nonEmpty(env, 'DATABASE_SSL');
  const explicit = raw === undefined ? undefined : PG_SSL_MODES.find((m) => m === raw.toLowerCase());
  if (raw !== undefined && !explicit) throw new ConfigError(`DATABASE_SSL must be one of ${PG_SSL_MODES.join(', ')}, got "${raw}"`);

  // libpq's sslrootcert=system means the system's CAs, which is what no CA file means here.
  const rootcert = params.get('sslrootcert') ?? undefined;
  const caFile =
    existingFile(nonEmpty(env, 'DATABASE_SSL_CA'), 'DATABASE_SSL_CA') ??
    existingFile(rootcert === 'system' ? undefined : rootcert, "DATABASE_URL's sslrootcert");
  const certFile = existingFile(params.get('sslcert') ?? undefined, "DATABASE_URL's sslcert");
  const keyFile = existingFile(params.get('sslkey') ?? undefined, "DATABASE_URL's sslkey");
  const mode = explicit ?? fromUrl ?? (caFile ? 'verify-full' : 'off');

  if (caFile && (mode === 'off' || mode === 'require')) {
    throw new ConfigError(`DATABASE_SSL_CA (or sslrootcert in DATABASE_URL) needs DATABASE_SSL=verify-ca or verify-full: with ${mode} the server's certificate is not checked`);
  }
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError("DATABASE_URL's sslcert and sslkey go together: give both or neither");
  if (certFile && mode === 'off') throw new ConfigError("DATABASE_URL's sslcert and sslkey need TLS: set DATABASE_SSL to require, verify-ca or verify-full");
  return { mode, caFile, certFile, keyFile };
}

/** One node of the local Kafka cluster: its KRaft node id and its two listeners. */
export interface LocalKafkaNode {
  id: number;
  port: number;
  controllerPort: number;
}

/**
 * The local cluster's nodes: node 1 on PETSTORE_KAFKA_PORT / PETSTORE_KAFKA_CONTROLLER_PORT, each next
 * node two ports further up on both, so one setting moves the whole cluster.
 */
export function localKafkaNodes(count: number, port: number, controllerPort: number): LocalKafkaNode[] {
  const nodes = Array.from({ length: count }, (_, i) => ({ id: i + 1, port: port + 2 * i, controllerPort: controllerPort + 2 * i }));
  const ports = nodes.flatMap((n) => [n.port, n.controllerPort]);
  const clash = ports.find((p, i) => ports.indexOf(p) !== i);
  if (clash !== undefined) {
    throw new ConfigError(`the local Kafka nodes' ports collide on ${clash}: node n uses PETSTORE_KAFKA_PORT+2(n-1) and PETSTORE_KAFKA_CONTROLLER_PORT+2(n-1); pick ports that differ by an odd number`);
  }
  if (ports.some((p) => p > 65535)) throw new ConfigError(`the local Kafka nodes' ports run past 65535: lower PETSTORE_KAFKA_PORT`);
  return nodes;
}

/** The replication the topics get: three copies (or one per broker, if fewer), two of them needed for a write. */
function kafkaReplicationFrom(env: Env, brokerCount: number): { replicationFactor: number; minInsyncReplicas: number } {
  const replicationFactor = intFrom(env, 'KAFKA_REPLICATION_FACTOR', Math.min(brokerCount, 3));
  const minInsyncReplicas = intFrom(env, 'KAFKA_MIN_INSYNC_REPLICAS', replicationFactor >= 3 ? 2 : 1);
  if (minInsyncReplicas > replicationFactor) {
    throw new ConfigError(`KAFKA_MIN_INSYNC_REPLICAS (${minInsyncReplicas}) cannot exceed the replication factor (${replicationFactor}): no write could ever succeed`);
  }
  return { replicationFactor, minInsyncReplicas };
}

/** Local defaults: chosen to stay clear of a system Postgres (5432) and of each other. */
export const LOCAL_PORTS = { postgres: 55432, kafka: 9092, kafkaController: 9093, temporal: 7233, temporalUi: 8233 } as const;

function optionalPort(env: Env, name: string): number | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol)) throw new ConfigError(`${name} must be an http:// or https:// URL, got "${redactUrl(raw)}"`);
  return raw;
}

// Header values are often API keys: an error names the variable and the entry's position, never its text.
function otlpHeaders(env: Env): Record<string, string> {
  const raw = nonEmpty(env, 'OTEL_EXPORTER_OTLP_HEADERS');
  const headers: Record<string, string> = {};
  if (raw === undefined) return headers;
  raw.split(',').forEach((entry, index) => {
    const at = entry.indexOf('=');
    const key = entry.slice(0, at).trim();
    if (at < 1 || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(key)) throw new ConfigError(`OTEL_EXPORTER_OTLP_HEADERS entry ${index + 1} is not key=value`);
    try {
      headers[key] = decodeURIComponent(entry.slice(at + 1).trim());
    } catch {
      throw new ConfigError(`OTEL_EXPORTER_OTLP_HEADERS entry ${index + 1} has a badly URL-encoded value`);
    }
  });
  return headers;
}

function tracingFrom(env: Env): Config['tracing'] {
  const base = httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  // OTLP/HTTP's rule: the base endpoint gets the signal's path appended, the signal-specific one is used as it is.
  const endpoint = httpUrl(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
  const rawRatio = nonEmpty(env, 'OTEL_TRACES_SAMPLER_ARG');
  const sampleRatio = rawRatio === undefined ? 1 : Number(rawRatio);
  if (!Number.isFinite(sampleRatio) || sampleRatio < 0 || sampleRatio > 1) throw new ConfigError(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got "${rawRatio}"`);
  return { endpoint, headers: otlpHeaders(env), serviceName: nonEmpty(env, 'OTEL_SERVICE_NAME') ?? 'petstore', sampleRatio };
}

function logFormatFrom(env: Env): LogFormat | undefined {
  const raw = nonEmpty(env, 'LOG_FORMAT');
  if (raw === undefined) return undefined;
  if (raw === 'json' || raw === 'pretty') return raw;
  throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${raw}"`);
}

/** The configuration with some variables set as a command's options say (e.g. `stack start --kafka-brokers 3`). */
export function loadConfigWith(overrides: Env): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/** Reads and validates the environment once; everything else takes a Config. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = resolve(nonEmpty(env, 'PETSTORE_DATA_DIR') ?? join(projectRoot, '.petstore'));
  const cacheDir = resolve(
    nonEmpty(env, 'PETSTORE_CACHE_DIR') ?? join(nonEmpty(env, 'XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'petstore'),
  );

  const databaseUrl = nonEmpty(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, got "${redactUrl(databaseUrl)}"`);
  }
  const pgPort = intFrom(env, 'PETSTORE_POSTGRES_PORT', LOCAL_PORTS.postgres);

  const kafkaPort = intFrom(env, 'PETSTORE_KAFKA_PORT', LOCAL_PORTS.kafka);
  const kafkaNodes = localKafkaNodes(
    intFrom(env, 'PETSTORE_KAFKA_BROKERS_COUNT', 1),
    kafkaPort,
    intFrom(env, 'PETSTORE_KAFKA_CONTROLLER_PORT', LOCAL_PORTS.kafkaController),
  );
  const brokersRaw = nonEmpty(env, 'KAFKA_BROKERS');
  // Every local node is a bootstrap address: a client that starts while node 1 is down still finds the cluster.
  const brokers = (brokersRaw ?? kafkaNodes.map((n) => `127.0.0.1:${n.port}`).join(',')).split(',').map((b) => b.trim()).filter(Boolean);
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
      poolMax: intFrom(env, 'DATABASE_POOL_MAX', 20),
      ssl: postgresSsl(env, databaseUrl),
    },
    kafka: {
      brokers,
      external: brokersRaw !== undefined,
      clientId: nonEmpty(env, 'KAFKA_CLIENT_ID') ?? 'petstore',
      topicPartitions: intFrom(env, 'KAFKA_TOPIC_PARTITIONS', 6),
      metadataMaxAgeMs: durationFrom(env, 'KAFKA_METADATA_MAX_AGE', '30s'),
      ...kafkaReplicationFrom(env, brokersRaw === undefined ? kafkaNodes.length : 1),
      ...kafkaSecurity(env),
      port: kafkaPort,
      controllerPort: kafkaNodes[0]!.controllerPort,
      nodes: kafkaNodes,
    },
    temporal: {
      address: temporalAddress ?? `127.0.0.1:${temporalPort}`,
      namespace: nonEmpty(env, 'TEMPORAL_NAMESPACE') ?? 'default',
      external: temporalAddress !== undefined,
      uiUrl: nonEmpty(env, 'TEMPORAL_UI_URL') ?? `http://127.0.0.1:${uiPort}`,
      uiPort,
      port: temporalPort,
      cliPath: nonEmpty(env, 'TEMPORAL_CLI'),
      sqlitePragmas: sqlitePragmasFrom(env),
      taskQueue: nonEmpty(env, 'TEMPORAL_TASK_QUEUE') ?? 'petstore',
      ...temporalSecurity(env),
      worker: temporalWorkerFrom(env),
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
    limits: { heldUnitsPerCustomer: intFrom(env, 'MAX_HELD_UNITS_PER_CUSTOMER', 10) },
    consumers: {
      maxAttempts: intFrom(env, 'CONSUMER_MAX_ATTEMPTS', 5),
      sessionTimeoutMs: durationFrom(env, 'KAFKA_SESSION_TIMEOUT', '30s'),
      partitionsConcurrently: intFrom(env, 'CONSUMER_PARTITIONS_CONCURRENTLY', 6),
      maxWaitMs: durationFrom(env, 'KAFKA_CONSUMER_MAX_WAIT', '500ms'),
      minBytes: intFrom(env, 'KAFKA_CONSUMER_MIN_BYTES', 1),
    },
    relay: {
      batchSize: intFrom(env, 'OUTBOX_RELAY_BATCH', 500),
      safetyPollMs: durationFrom(env, 'OUTBOX_RELAY_SAFETY_POLL', '1s'),
      producerPerSchema: switchFrom(env, 'OUTBOX_RELAY_PRODUCER_PER_SCHEMA') ?? true,
    },
    cli: { apiUrl: (nonEmpty(env, 'PETSTORE_API_URL') ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''), token: nonEmpty(env, 'PETSTORE_TOKEN') },
    logLevel: nonEmpty(env, 'LOG_LEVEL') ?? 'info',
    logFormat: logFormatFrom(env),
    metrics: { port: optionalPort(env, 'METRICS_PORT'), temporalPort: optionalPort(env, 'TEMPORAL_METRICS_PORT') },
    tracing: tracingFrom(env),
  };
}
