import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DURATION_GRAMMAR, parseDuration } from './duration';
import { namespaced, NAMESPACE_PATTERN } from './namespace';
import { parseKeyRing, type KeyRing } from './keyring';
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
  /** PETSTORE_NAMESPACE: prefixes every topic, consumer group and the task queue (kafka/topics.ts); empty keeps the bare names. */
  namespace: string;
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
    /** Server-side bounds on every pooled session: a runaway query, or a transaction left open, cannot hold locks for ever. */
    sessionTimeouts?: { statementMs: number; idleInTransactionMs: number };
    /**
     * DATABASE_ROLES: each part connects as its own login role (db/logins.ts), DATABASE_URL's user only
     * migrates and grants. Passwords by login name (DATABASE_PASSWORD_<LOGIN>), or generated into the data
     * folder on the local stack. Absent: every part connects as DATABASE_URL's user.
     */
    logins?: { generated: true } | { generated: false; passwords: Readonly<Record<string, string>> };
  };
  kafka: {
    brokers: string[];
    external: boolean;
    clientId: string;
    topicPartitions: number;
    /** `retention.ms` of the event topics petstore creates: -1 (the default) keeps every event for ever. */
    retentionMs: number;
    /** `retention.ms` of the dead-letter topics: a finite window to look at and replay a letter in. */
    dlqRetentionMs: number;
    /** Base URL under which the events' JSON Schemas are served (`<base>/schemas/events/<type>/v<n>.json`), the `ce_dataschema` of every event. */
    schemaBaseUrl: string;
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
    /** The saga's task queue, with the namespace's prefix. */
    taskQueue: string;
    /** TLS to the frontend; a client certificate pair makes it mTLS. */
    tls: { enabled: boolean; caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
    /** Temporal Cloud API key, sent as a bearer token. */
    apiKey?: string;
    /** The saga worker's performance settings (the ceiling bench's worker uses them too). */
    worker: TemporalWorkerTuning;
  };
  http: {
    host: string;
    port: number;
    /** Socket and request timeouts: one slow client must not hold a socket for ever. */
    limits?: HttpLimits;
    /** Addresses or CIDRs of the proxies in front of the API: their X-Forwarded-For names the client, their traceparent is continued. */
    trustedProxies?: string[];
    /** Serve Swagger UI at /docs (the OpenAPI document is served either way). */
    swaggerUi?: boolean;
    /** How long the public /readyz reuses one check of Postgres, Kafka and Temporal. */
    readinessCacheMs?: number;
    /** Browser origins (scheme://host[:port]) whose pages may call the API; empty: no CORS headers, the default. ['*']: any origin. */
    corsOrigins?: string[];
  };
  auth: {
    /** HS256 secret; when unset, one is generated once and kept in the data folder (see lib/auth.ts), on the local stack only. */
    jwtSecret?: string;
    issuer: string;
    audience: string;
    /** Whether a missing JWT_SECRET may be generated into the data folder: only when every part is the local stack's. */
    localSecretAllowed?: boolean;
    /** The longest lifetime a token may have, enforced when issued and when verified (from its iat). */
    maxTtlSeconds?: number;
    /** A JWKS URL whose keys (RS256, ES256) verify tokens from an identity provider; unset: HS256 with the secret only. */
    jwksUrl?: string;
  };
  /** The REST API's request budgets; `postgres` shares them between replicas (a counter table), `memory` is per process. */
  rateLimit?: RateLimitConfig;
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
  admission: {
    /** Requests one API process has in flight at once; more are refused at once (503). */
    maxInFlight: number;
    /** Of those, requests that start or drive a saga. */
    maxSagaInFlight: number;
    /** Requests one caller may have in flight (429 beyond). */
    maxPerCaller: number;
    /** How long a call to Temporal from the API may take before the request is answered 503. */
    temporalCallTimeoutMs: number;
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
    /** How often handled offsets are committed; 0 commits after every batch (kafkajs's own way). */
    commitIntervalMs: number;
  };
  relay: {
    /** Outbox rows read and published per batch. */
    batchSize: number;
    /** How often the relay looks at the outbox when no NOTIFY came (a notification can be missed on reconnects). */
    safetyPollMs: number;
    /** One idempotent producer per outbox schema, so a schema's publish never queues behind another's. */
    producerPerSchema: boolean;
    /** How long a sent outbox row is kept before the relay deletes it (0: at its next pass). */
    retentionMs: number;
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
    /** Port of the internal listener (/metrics, and /readyz in detail with the API); unset: none without the API, PORT+1 with it. */
    port?: number;
    /** Address of the internal listener (default 127.0.0.1, whatever HOST is). */
    host?: string;
    /** METRICS_PORT=off: no internal listener even with the API. */
    off?: boolean;
    /** Port where the Temporal worker's runtime serves its own Prometheus metrics (unset: off). */
    temporalPort?: number;
  };
  /** Notification's deliveries: the queue's retry schedule, the webhook policy and signing, email. */
  notifications: NotificationsConfig;
  /** The customer web app at /shop: how customers sign in. */
  storefront: {
    /** A sign-in form that mints a customer token for any name: for the local stack only. */
    devLogin: boolean;
    /** OpenID Connect (authorization code with PKCE) for production; unset: no OIDC sign-in. */
    oidc?: { issuer: string; clientId: string; clientSecret?: string; scope: string };
    /** How long a storefront sign-in's bearer token lives. */
    sessionTtlSeconds: number;
  };
  /** Live order streams (GET /orders/:orderId/events). */
  orderEvents: {
    /** Streams one API process keeps open at once; more are a 503. */
    maxStreams: number;
    /** Streams one customer may keep open at once; more are a 429. */
    maxStreamsPerUser: number;
  };
  /** What keeps payment data and Temporal payloads unreadable to those who need not read them. */
  security: {
    /** TEMPORAL_CODEC_KEYS: the payload codec's keys, the first encrypts; unset: generated into the data folder on the local stack only. */
    temporalCodecKeys?: KeyRing;
    /** PAYMENT_TOKEN_KEYS: the keys that seal payment tokens for Payment (in events and at rest), the first seals; unset: as above. */
    paymentTokenKeys?: KeyRing;
    /** REQUEST_HASH_KEY: the HMAC key of the Idempotency-Key request hashes; unset: as above. */
    requestHashKey?: Buffer;
    /** Origins whose pages may call the codec server (the Temporal UI's). */
    codecCorsOrigins: string[];
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

/** How Notification delivers webhooks and email outside the consumers' transactions. */
export interface NotificationsConfig {
  delivery: {
    /** Tries of one delivery before it is recorded FAILED. */
    maxAttempts: number;
    /** Wait after the first failed try; doubled after each further one, up to backoffMaxMs. */
    backoffMs: number;
    backoffMaxMs: number;
    /** Deliveries one process has in flight at once: a slow endpoint holds one slot, not the queue. */
    concurrency: number;
    /** How often the delivery worker looks for due deliveries when it has none. */
    pollMs: number;
  };
  webhook: {
    /** Loopback endpoints (and plain http to them) are allowed: on in the local stack, off elsewhere unless set. */
    allowLoopback: boolean;
    /** Nothing but loopback (WEBHOOK_ALLOW_LOOPBACK=only): test rigs whose webhooks must never leave the machine, not even for a DNS lookup. */
    onlyLoopback: boolean;
    /** Consecutive failed tries after which a webhook subscription is disabled (and its owner told). */
    maxConsecutiveFailures: number;
    /** The Standard Webhooks signing secret (whsec_<base64>) for endpoints without their own; unset: generated into the data folder. */
    secret?: string;
    /** One delivery attempt's whole time: connect, send, answer. */
    timeoutMs: number;
  };
  mail: {
    /** smtp:// or smtps:// URL of the server petstore sends through (the local Mailpit by default). */
    smtpUrl: string;
    /** True when SMTP_URL is set: the stack does not start Mailpit. */
    external: boolean;
    /** The From: address of every email. */
    from: string;
    /** Link to one order's page in emails; {orderId} is replaced. */
    orderPageUrl: string;
    /** Ports of the local Mailpit (unused when external): SMTP, and its web UI and API. */
    smtpPort: number;
    uiPort: number;
    /** The local Mailpit's web UI and API. */
    uiUrl: string;
  };
}

/** Timeouts of the REST API's HTTP server (Fastify's options of the same names; headersTimeout is Node's). */
export interface HttpLimits {
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  maxRequestsPerSocket: number;
}

/** Per-window request budgets of the REST API. */
export interface RateLimitConfig {
  store: 'memory' | 'postgres';
  windowMs: number;
  /** Requests per address before authentication (401s count). */
  perIp: number;
  /** Reads per caller (user, else address). */
  reads: number;
  /** Writes per caller (user, else address). */
  writes: number;
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
  PETSTORE_NAMESPACE: 'prefix of every Kafka topic, consumer group and the Temporal task queue, as <namespace>.<name> (and of the local database); lowercase letters, digits, inner hyphens; set it on a shared Kafka or Temporal (default empty: the bare names)',
  PETSTORE_NAMESPACE_TEMPORAL: 'on: the Temporal namespace is prefixed too, <PETSTORE_NAMESPACE>.<TEMPORAL_NAMESPACE> (default off: deployments share TEMPORAL_NAMESPACE, told apart by task queue)',
  DATABASE_URL: 'PostgreSQL connection URL; set it and the stack does not start its own Postgres (default: the local database petstore, or <PETSTORE_NAMESPACE>.petstore)',
  DATABASE_SSL: 'TLS to Postgres: off, require, verify-ca or verify-full (default: the URL\'s sslmode, else verify-full with DATABASE_SSL_CA, else off)',
  DATABASE_SSL_CA: 'path of the CA certificate (PEM) that signed the Postgres server\'s certificate',
  DATABASE_POOL_MAX: 'connections each database login\'s pool may open per process (default 20)',
  DATABASE_ROLES: 'on: each part connects as its own login role, with rights on its own schema only (petstore_inventory, _orders, _payments, _notifications, _relay, _gateway, _edge, prefixed <PETSTORE_NAMESPACE>. when set), created and granted by DATABASE_URL\'s user when it migrates; off: every part connects as DATABASE_URL\'s user (default on for the local stack, off otherwise)',
  DATABASE_PASSWORD_INVENTORY: 'password of the inventory login with DATABASE_ROLES=on (likewise DATABASE_PASSWORD_ORDERS, _PAYMENTS, _NOTIFICATIONS, _RELAY, _GATEWAY, _EDGE); a process needs those of the parts it runs (default on the local stack: generated once into the data folder); never printed',
  KAFKA_BROKERS: 'comma-separated host:port list; set it and the stack does not start its own Kafka',
  KAFKA_CLIENT_ID: 'kafkajs client id (default petstore)',
  KAFKA_TOPIC_PARTITIONS: 'partitions of the topics petstore creates (default 6)',
  KAFKA_TOPIC_RETENTION: 'retention of the event topics petstore creates: forever, or a duration such as 30d or 12h (default forever: events are the record)',
  KAFKA_DLQ_RETENTION: 'retention of the dead-letter topics petstore creates: a duration such as 30d or 12h, or forever (default 30d)',
  EVENT_SCHEMA_BASE_URL: 'base URL where consumers fetch the events\' JSON Schemas, put in every event\'s ce_dataschema header as <url>/schemas/events/<type>/v<n>.json (default http://127.0.0.1:<PORT>)',
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
  TEMPORAL_TASK_QUEUE: 'task queue of the saga worker, prefixed by PETSTORE_NAMESPACE (default petstore)',
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
  JWT_SECRET: 'HS256 secret for bearer tokens, at least 32 bytes (default on the local stack only: generated once into the data folder; required when DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set)',
  TEMPORAL_CODEC_KEYS: 'keys of the Temporal payload codec (AES-256-GCM), id:base64key,... of 32 bytes each; the first encrypts, all decrypt; the same on every process (default on the local stack only: generated once into the data folder; required when DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set); never printed',
  PAYMENT_TOKEN_KEYS: 'keys that seal payment tokens for Payment in events and at rest (AES-256-GCM), id:base64key,...; the first seals, all open; same defaults as TEMPORAL_CODEC_KEYS; never printed',
  REQUEST_HASH_KEY: 'HMAC-SHA256 key of the Idempotency-Key request hashes, base64 of at least 32 bytes; the same on every API replica (same defaults as TEMPORAL_CODEC_KEYS); never printed',
  CODEC_CORS_ORIGINS: 'comma-separated origins of the Temporal UIs that may call the codec server /codec (default: the origin of TEMPORAL_UI_URL; on the local stack the UI at 127.0.0.1 and localhost)',
  JWT_MAX_TTL: 'longest lifetime of a bearer token, checked when it is issued and from its iat when it is verified, e.g. 12h (default 24h)',
  JWT_JWKS_URL: 'URL of an identity provider\'s JWKS: RS256/ES256 tokens are verified against its keys (default none: HS256 with JWT_SECRET only)',
  HTTP_REQUEST_TIMEOUT: 'time a client has to send a whole request, body included, e.g. 30s (default 30s)',
  HTTP_HEADERS_TIMEOUT: 'time a client has to send the request headers, at most HTTP_REQUEST_TIMEOUT (default 10s)',
  HTTP_CONNECTION_TIMEOUT: 'a socket silent this long is closed (default 60s)',
  HTTP_KEEP_ALIVE_TIMEOUT: 'how long an idle keep-alive socket stays open; above the load balancer\'s idle timeout (default 65s)',
  HTTP_MAX_REQUESTS_PER_SOCKET: 'requests one keep-alive socket may carry before it is closed (default 1000)',
  CORS_ORIGINS: 'comma-separated origins (https://shop.example.com) whose browser pages may call the API, answered with CORS headers and preflights; * for any origin (default none: CORS off)',
  TRUSTED_PROXIES: 'comma-separated addresses or CIDRs of proxies in front of the API: their X-Forwarded-For gives the client address, their traceparent is continued (default none: a new trace per request)',
  READINESS_CACHE_TTL: 'how long the public /readyz reuses one check of Postgres, Kafka and Temporal, e.g. 2s; concurrent probes share one check (default 2s)',
  SWAGGER_UI: 'on: serve Swagger UI at /docs (default on for the local stack, off otherwise; /openapi.json is served either way)',
  RATE_LIMIT_STORE: 'memory (per process) or postgres (one budget shared by every API replica, in the edge schema) (default memory)',
  RATE_LIMIT_WINDOW: 'window of the request budgets, e.g. 1m (default 1m)',
  RATE_LIMIT_PER_IP: 'requests one address may make per window before authentication, 401s included (default 6000)',
  RATE_LIMIT_READS: 'reads (GET, HEAD) one caller may make per window (default 3000)',
  RATE_LIMIT_WRITES: 'writes one caller may make per window (default 300)',
  DATABASE_STATEMENT_TIMEOUT: 'Postgres statement_timeout of every pooled session, e.g. 30s; 0 turns it off (default 30s)',
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: 'Postgres idle_in_transaction_session_timeout of every pooled session; 0 turns it off (default 60s)',
  JWT_ISSUER: 'issuer the API requires in tokens (default petstore)',
  JWT_AUDIENCE: 'audience the API requires in tokens (default petstore-api)',
  INVENTORY_DEADLINE: 'how long an order waits for Inventory, e.g. 30s (default 30s)',
  PAYMENT_DEADLINE: 'how long an order waits for a successful payment, e.g. 15m (default 15m)',
  PAYMENT_RETRY_WINDOW: 'after a decline, how long the customer may retry, e.g. 5m (default 0: cancel at once)',
  MAX_HELD_UNITS_PER_CUSTOMER: 'units one customer may hold in open orders at once (default 10); more is refused with HOLD_LIMIT',
  KAFKA_SESSION_TIMEOUT: 'consumer session timeout: how soon a dead instance\'s partitions move to the others (default 30s; at least 6s)',
  ADMISSION_MAX_IN_FLIGHT: 'requests one API process works on at once; more are refused at once with 503 + Retry-After (default 512)',
  ADMISSION_MAX_SAGA_IN_FLIGHT: 'of those, requests that start or drive a saga (POST /orders, cancels); size it as sustainable orders/s × POST latency with headroom (default 256)',
  ADMISSION_MAX_PER_CALLER: 'requests one caller (token subject, else address) may have in flight; more get 429 (default 64)',
  TEMPORAL_CALL_TIMEOUT: 'how long the API waits for Temporal on one request before answering 503, e.g. 5s (default 10s: a burst of saga starts on a busy worker takes seconds)',
  CONSUMER_MAX_ATTEMPTS: 'attempts at a failing message before it is dead-lettered (default 5)',
  CONSUMER_PARTITIONS_CONCURRENTLY: 'partitions one consumer group handles at once in a process (default 6; kafkajs default 1, untuned 3)',
  KAFKA_CONSUMER_MAX_WAIT: 'how long the broker may hold an empty fetch, e.g. 500ms; data is answered at once either way (default 500ms; untuned 50ms)',
  KAFKA_CONSUMER_MIN_BYTES: 'bytes the broker waits for before it answers a fetch (default 1)',
  CONSUMER_COMMIT_INTERVAL: 'how often consumers commit the offsets they handled, e.g. 1s; 0 commits after every batch (default 1s; untuned 0)',
  OUTBOX_RELAY_BATCH: 'outbox events the relay reads and publishes at once per schema (default 500)',
  OUTBOX_RELAY_SAFETY_POLL: 'how often the relay looks at the outbox without a NOTIFY, e.g. 1s (default 1s); published events wake it at once',
  OUTBOX_RETENTION: 'how long a published outbox row is kept before the relay deletes it, e.g. 1h or 0s (default 1h)',
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
  METRICS_PORT: 'port of the internal listener on METRICS_HOST: /metrics, and /readyz in detail with the API; off: none (default: PORT+1 in a process with the API, else none)',
  METRICS_HOST: 'address of the internal listener (default 127.0.0.1, whatever HOST is)',
  TEMPORAL_METRICS_PORT: 'port where the Temporal worker\'s runtime serves its own Prometheus metrics (temporal_*) on HOST (default off)',
  STOREFRONT_DEV_LOGIN: 'on: the storefront at /shop offers a dev sign-in that mints a customer token for any name (local stack only; default off)',
  OIDC_ISSUER: 'OpenID Connect issuer URL for the storefront sign-in (authorization code with PKCE); with OIDC_CLIENT_ID (default: no OIDC sign-in)',
  OIDC_CLIENT_ID: 'the storefront\'s client id at the OIDC provider, with OIDC_ISSUER',
  OIDC_CLIENT_SECRET: 'the storefront\'s client secret at the OIDC provider, if it is a confidential client; never printed',
  OIDC_SCOPE: 'scopes the storefront asks the OIDC provider for (default "openid profile")',
  STOREFRONT_SESSION_TTL: 'how long a storefront sign-in lasts, e.g. 8h (default 8h)',
  ORDER_EVENTS_MAX_STREAMS: 'live order streams (GET /orders/:orderId/events) one API process keeps open; more get a 503 (default 1000)',
  ORDER_EVENTS_MAX_STREAMS_PER_USER: 'live order streams one customer may keep open at once; more get a 429 (default 5)',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'OTLP/HTTP collector base URL, e.g. http://127.0.0.1:4318; traces go to <url>/v1/traces (default: tracing off)',
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'full OTLP/HTTP traces URL, instead of OTEL_EXPORTER_OTLP_ENDPOINT (default: tracing off)',
  OTEL_EXPORTER_OTLP_HEADERS: 'headers sent with every span export, as key=value,key2=value2 (values URL-encoded); never printed',
  OTEL_SERVICE_NAME: 'service.name of the exported spans (default petstore)',
  OTEL_TRACES_SAMPLER_ARG: 'share of new traces recorded, 0 to 1 (default 1); a trace continued from a caller keeps its decision',
  NOTIFY_DELIVERY_ATTEMPTS: 'tries of one webhook or email delivery before it is recorded FAILED (default 8)',
  NOTIFY_DELIVERY_BACKOFF: 'wait after a failed delivery, doubled after each further one, e.g. 1s (default 1s)',
  NOTIFY_DELIVERY_BACKOFF_MAX: 'longest wait between two tries of one delivery (default 5m)',
  NOTIFY_DELIVERY_CONCURRENCY: 'deliveries one process has in flight at once (default 16)',
  NOTIFY_DELIVERY_POLL: 'how often the delivery worker looks for due deliveries while it has none (default 500ms)',
  WEBHOOK_ALLOW_LOOPBACK: 'on: webhooks may go to loopback addresses, over http too; only: to loopback and nowhere else (test rigs) (default on in the local stack, off when DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set)',
  WEBHOOK_MAX_CONSECUTIVE_FAILURES: 'failed tries in a row after which a webhook subscription is disabled and its owner notified (default 10)',
  WEBHOOK_SECRET: 'Standard Webhooks signing secret, whsec_<base64 of 24 to 64 bytes>, for endpoints without their own; set one for every replica (default: generated once into the data folder); never printed',
  WEBHOOK_TIMEOUT: 'time one webhook attempt may take, connect to answer (default 5s)',
  SMTP_URL: 'smtp:// or smtps:// URL (user and password in it if the server wants them) petstore sends email through; set it and the stack does not start Mailpit',
  SMTP_FROM: 'From: of the emails (default "petstore <orders@petstore.local>")',
  ORDER_PAGE_URL: 'link to an order in emails, {orderId} replaced (default http://127.0.0.1:<PORT>/orders/{orderId})',
  PETSTORE_MAILPIT_SMTP_PORT: 'SMTP port of the local Mailpit (default 1025)',
  PETSTORE_MAILPIT_UI_PORT: 'web UI and API port of the local Mailpit (default 8025)',
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

/** A topic retention: `forever` (or -1) is Kafka's -1, otherwise a duration (DURATION_GRAMMAR) above 0. */
function retentionFrom(env: Env, name: string, fallback: string): number {
  const raw = nonEmpty(env, name) ?? fallback;
  if (/^(forever|-1)$/i.test(raw)) return -1;
  const value = parseDuration(raw) ?? 0;
  if (value <= 0) throw new ConfigError(`${name} must be forever or a duration above 0 (${DURATION_GRAMMAR}), got "${raw}"`);
  return value;
}

function durationFrom(env: Env, name: string, fallback: string): number {
  const raw = nonEmpty(env, name) ?? fallback;
  const value = parseDuration(raw);
  if (value === undefined) throw new ConfigError(`${name} must be a duration such as 500ms, 30s, 15m or 1h (${DURATION_GRAMMAR}), got "${raw}"`);
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

const PASSWORD_PREFIX = 'DATABASE_PASSWORD_';

// Per-service logins: on by default where the stack makes the passwords, by choice where the operator gives them.
function databaseLogins(env: Env, localDatabase: boolean): Pick<Config['postgres'], 'logins'> {
  // One variable per login (db/logins.ts names them), so a deployment hands each process only its own.
  const given = {
    inventory: secretFrom(env, 'DATABASE_PASSWORD_INVENTORY'),
    orders: secretFrom(env, 'DATABASE_PASSWORD_ORDERS'),
    payments: secretFrom(env, 'DATABASE_PASSWORD_PAYMENTS'),
    notifications: secretFrom(env, 'DATABASE_PASSWORD_NOTIFICATIONS'),
    relay: secretFrom(env, 'DATABASE_PASSWORD_RELAY'),
    gateway: secretFrom(env, 'DATABASE_PASSWORD_GATEWAY'),
    edge: secretFrom(env, 'DATABASE_PASSWORD_EDGE'),
  };
  const unknown = Object.keys(env).find((name) => name.startsWith(PASSWORD_PREFIX) && !(name.slice(PASSWORD_PREFIX.length).toLowerCase() in given));
  if (unknown !== undefined) throw new ConfigError(`${unknown} names no database login; the logins are ${Object.keys(given).join(', ')}`);
  const passwords = Object.fromEntries(Object.entries(given).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const on = switchFrom(env, 'DATABASE_ROLES') ?? localDatabase;
  if (!on) return {};
  if (localDatabase && Object.keys(passwords).length === 0) return { logins: { generated: true } };
  return { logins: { generated: false, passwords } };
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
export const LOCAL_PORTS = { postgres: 55432, kafka: 9092, kafkaController: 9093, temporal: 7233, temporalUi: 8233, mailpitSmtp: 1025, mailpitUi: 8025 } as const;

function optionalPort(env: Env, name: string): number | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`${name} must be a port number (1-65535), got "${raw}"`);
  return port;
}

/** A URL setting whose scheme must be one of `schemes` (and that names a host); the error never prints a password. */
function urlFrom(env: Env, name: string, schemes: readonly string[]): string | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol.slice(0, -1)) || !url.hostname) {
    throw new ConfigError(`${name} must be an ${schemes.map((s) => `${s}://`).join(' or ')} URL, got "${redactUrl(raw)}"`);
  }
  return raw;
}

const httpUrl = (env: Env, name: string): string | undefined => urlFrom(env, name, ['http', 'https']);

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

/** Decodes a Standard Webhooks secret (whsec_ and base64 of 24 to 64 bytes); undefined when it is not one. */
export function webhookSecretBytes(secret: string): Buffer | undefined {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
  if (!match) return undefined;
  const bytes = Buffer.from(match[1]!, 'base64');
  return bytes.length >= 24 && bytes.length <= 64 ? bytes : undefined;
}

// WEBHOOK_ALLOW_LOOPBACK is a switch with a third value: `only` confines webhooks to this machine.
function loopbackFrom(env: Env, local: boolean): { allowLoopback: boolean; onlyLoopback: boolean } {
  const raw = nonEmpty(env, 'WEBHOOK_ALLOW_LOOPBACK');
  if (raw?.toLowerCase() === 'only') return { allowLoopback: true, onlyLoopback: true };
  try {
    return { allowLoopback: switchFrom(env, 'WEBHOOK_ALLOW_LOOPBACK') ?? local, onlyLoopback: false };
  } catch {
    throw new ConfigError(`WEBHOOK_ALLOW_LOOPBACK must be on, off or only, got "${raw}"`);
  }
}

function notificationsFrom(env: Env, { local, httpPort }: { local: boolean; httpPort: number }): NotificationsConfig {
  const secret = secretFrom(env, 'WEBHOOK_SECRET');
  if (secret !== undefined && !webhookSecretBytes(secret)) throw new ConfigError('WEBHOOK_SECRET must be whsec_ followed by the base64 of 24 to 64 random bytes');
  const external = urlFrom(env, 'SMTP_URL', ['smtp', 'smtps']);
  const smtpPort = intFrom(env, 'PETSTORE_MAILPIT_SMTP_PORT', LOCAL_PORTS.mailpitSmtp);
  const uiPort = intFrom(env, 'PETSTORE_MAILPIT_UI_PORT', LOCAL_PORTS.mailpitUi);
  const orderPageUrl = nonEmpty(env, 'ORDER_PAGE_URL') ?? `http://127.0.0.1:${httpPort}/orders/{orderId}`;
  if (!/^https?:\/\//.test(orderPageUrl)) throw new ConfigError(`ORDER_PAGE_URL must be an http:// or https:// URL, got "${orderPageUrl}"`);
  return {
    delivery: {
      maxAttempts: intFrom(env, 'NOTIFY_DELIVERY_ATTEMPTS', 8),
      backoffMs: durationFrom(env, 'NOTIFY_DELIVERY_BACKOFF', '1s'),
      backoffMaxMs: durationFrom(env, 'NOTIFY_DELIVERY_BACKOFF_MAX', '5m'),
      concurrency: intFrom(env, 'NOTIFY_DELIVERY_CONCURRENCY', 16),
      pollMs: durationFrom(env, 'NOTIFY_DELIVERY_POLL', '500ms'),
    },
    webhook: {
      ...loopbackFrom(env, local),
      secret,
      timeoutMs: durationFrom(env, 'WEBHOOK_TIMEOUT', '5s'),
      maxConsecutiveFailures: intFrom(env, 'WEBHOOK_MAX_CONSECUTIVE_FAILURES', 10),
    },
    mail: {
      smtpUrl: external ?? `smtp://127.0.0.1:${smtpPort}`,
      external: external !== undefined,
      from: nonEmpty(env, 'SMTP_FROM') ?? 'petstore <orders@petstore.local>',
      orderPageUrl,
      smtpPort,
      uiPort,
      uiUrl: `http://127.0.0.1:${uiPort}`,
    },
  };
}

function storefrontFrom(env: Env): Config['storefront'] {
  const issuer = httpUrl(env, 'OIDC_ISSUER');
  // The provider's answers vouch for who signs in: plain HTTP only to a provider on this machine.
  if (issuer && new URL(issuer).protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(new URL(issuer).hostname)) {
    throw new ConfigError('OIDC_ISSUER must be an https:// URL (http:// only for a provider on 127.0.0.1 or localhost)');
  }
  const clientId = nonEmpty(env, 'OIDC_CLIENT_ID');
  if ((issuer === undefined) !== (clientId === undefined)) throw new ConfigError('OIDC_ISSUER and OIDC_CLIENT_ID go together: set both or neither');
  const clientSecret = secretFrom(env, 'OIDC_CLIENT_SECRET');
  if (clientSecret !== undefined && issuer === undefined) throw new ConfigError('OIDC_CLIENT_SECRET is set without OIDC_ISSUER and OIDC_CLIENT_ID');
  const ttlMs = durationFrom(env, 'STOREFRONT_SESSION_TTL', '8h');
  if (ttlMs < 60_000) throw new ConfigError('STOREFRONT_SESSION_TTL must be at least 1m');
  return {
    devLogin: switchFrom(env, 'STOREFRONT_DEV_LOGIN') ?? false,
    oidc: issuer && clientId ? { issuer, clientId, clientSecret, scope: nonEmpty(env, 'OIDC_SCOPE') ?? 'openid profile' } : undefined,
    sessionTtlSeconds: Math.floor(ttlMs / 1000),
  };
}

function logFormatFrom(env: Env): LogFormat | undefined {
  const raw = nonEmpty(env, 'LOG_FORMAT');
  if (raw === undefined) return undefined;
  if (raw === 'json' || raw === 'pretty') return raw;
  throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${raw}"`);
}

function namespaceFrom(env: Env): string {
  const raw = nonEmpty(env, 'PETSTORE_NAMESPACE');
  if (raw === undefined) return '';
  if (!NAMESPACE_PATTERN.test(raw)) {
    throw new ConfigError(`PETSTORE_NAMESPACE must be lowercase letters and digits, with inner hyphens, at most 40 characters (e.g. staging, team-a), got "${raw}"`);
  }
  return raw;
}

function temporalNamespaceFrom(env: Env, namespace: string): string {
  const base = nonEmpty(env, 'TEMPORAL_NAMESPACE') ?? 'default';
  if (!switchFrom(env, 'PETSTORE_NAMESPACE_TEMPORAL')) return base;
  if (namespace === '') throw new ConfigError('PETSTORE_NAMESPACE_TEMPORAL=on prefixes the Temporal namespace with PETSTORE_NAMESPACE, which is not set');
  return namespaced(namespace, base);
}

function listFrom(env: Env, name: string): string[] {
  return (nonEmpty(env, name) ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
}

/** HMAC keys shorter than this are refused (the hash must not be recomputable by a guesser). */
export const MIN_REQUEST_HASH_KEY_BYTES = 32;

function securityFrom(env: Env, { uiOrigins }: { uiOrigins: string[] }): Config['security'] {
  const codec = secretFrom(env, 'TEMPORAL_CODEC_KEYS');
  const tokens = secretFrom(env, 'PAYMENT_TOKEN_KEYS');
  const hashKey = secretFrom(env, 'REQUEST_HASH_KEY');
  const requestHashKey = hashKey === undefined ? undefined : Buffer.from(hashKey.trim(), 'base64');
  if (requestHashKey && requestHashKey.length < MIN_REQUEST_HASH_KEY_BYTES) {
    throw new ConfigError(`REQUEST_HASH_KEY must be the base64 of at least ${MIN_REQUEST_HASH_KEY_BYTES} random bytes (openssl rand -base64 32)`);
  }
  const origins = listFrom(env, 'CODEC_CORS_ORIGINS');
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new ConfigError(`CODEC_CORS_ORIGINS entries must be origins like https://cloud.temporal.io (scheme and host, no path), got "${origin}"`);
  }
  return {
    temporalCodecKeys: codec === undefined ? undefined : parseKeyRing(codec, 'TEMPORAL_CODEC_KEYS'),
    paymentTokenKeys: tokens === undefined ? undefined : parseKeyRing(tokens, 'PAYMENT_TOKEN_KEYS'),
    requestHashKey,
    codecCorsOrigins: origins.length > 0 ? origins : uiOrigins,
  };
}

// An origin is what a browser sends in Origin: scheme, host and port, no path, no trailing slash.
function corsOriginsFrom(env: Env): string[] {
  const origins = listFrom(env, 'CORS_ORIGINS');
  if (origins.includes('*')) {
    if (origins.length > 1) throw new ConfigError('CORS_ORIGINS: * allows any origin; list origins or give * alone');
    return origins;
  }
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: "${origin}" is not an origin such as https://shop.example.com (scheme, host and port only, no path or trailing slash)`);
    }
  }
  return origins;
}

/** Shorter HS256 secrets can be guessed offline from any one token. */
export const MIN_JWT_SECRET_BYTES = 32;

function jwtSecretFrom(env: Env): string | undefined {
  const secret = nonEmpty(env, 'JWT_SECRET');
  if (secret !== undefined && Buffer.byteLength(secret) < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes (e.g. openssl rand -base64 48), got ${Buffer.byteLength(secret)}`);
  }
  return secret;
}

function httpLimitsFrom(env: Env): HttpLimits {
  const limits: HttpLimits = {
    requestTimeoutMs: durationFrom(env, 'HTTP_REQUEST_TIMEOUT', '30s'),
    headersTimeoutMs: durationFrom(env, 'HTTP_HEADERS_TIMEOUT', '10s'),
    connectionTimeoutMs: durationFrom(env, 'HTTP_CONNECTION_TIMEOUT', '60s'),
    keepAliveTimeoutMs: durationFrom(env, 'HTTP_KEEP_ALIVE_TIMEOUT', '65s'),
    maxRequestsPerSocket: intFrom(env, 'HTTP_MAX_REQUESTS_PER_SOCKET', 1000),
  };
  for (const [name, value] of [['HTTP_REQUEST_TIMEOUT', limits.requestTimeoutMs], ['HTTP_HEADERS_TIMEOUT', limits.headersTimeoutMs], ['HTTP_CONNECTION_TIMEOUT', limits.connectionTimeoutMs], ['HTTP_KEEP_ALIVE_TIMEOUT', limits.keepAliveTimeoutMs]] as const) {
    // 0 would be Node's "never": the very hole these settings close.
    if (value < 1000) throw new ConfigError(`${name} must be at least 1s, got ${value}ms`);
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) throw new ConfigError('HTTP_HEADERS_TIMEOUT cannot be longer than HTTP_REQUEST_TIMEOUT');
  return limits;
}

const RATE_LIMIT_STORES = ['memory', 'postgres'] as const;

function rateLimitFrom(env: Env): RateLimitConfig {
  const raw = nonEmpty(env, 'RATE_LIMIT_STORE') ?? 'memory';
  const store = RATE_LIMIT_STORES.find((s) => s === raw.toLowerCase());
  if (!store) throw new ConfigError(`RATE_LIMIT_STORE must be memory or postgres, got "${raw}"`);
  return {
    store,
    windowMs: durationFrom(env, 'RATE_LIMIT_WINDOW', '1m'),
    perIp: intFrom(env, 'RATE_LIMIT_PER_IP', 6000),
    reads: intFrom(env, 'RATE_LIMIT_READS', 3000),
    writes: intFrom(env, 'RATE_LIMIT_WRITES', 300),
  };
}

/** The configuration with some variables set as a command's options say (e.g. `stack start --kafka-brokers 3`). */
export function loadConfigWith(overrides: Env): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/** Reads and validates the environment once; everything else takes a Config. */
export function loadConfig(env: Env = process.env): Config {
  const namespace = namespaceFrom(env);
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
  const httpPort = intFrom(env, 'PORT', 3000, 0);
  // The local stack: every part is the one `petstore stack` runs on this machine (no endpoint configured).
  const localStack = databaseUrl === undefined && brokersRaw === undefined && temporalAddress === undefined;

  return {
    namespace,
    dataDir,
    cacheDir,
    postgres: {
      // A deployment's outboxes and books are its own: on the local server each namespace has its database.
      url: databaseUrl ?? `postgres://postgres:petstore@127.0.0.1:${pgPort}/${namespaced(namespace, 'petstore')}`,
      external: databaseUrl !== undefined,
      port: pgPort,
      poolMax: intFrom(env, 'DATABASE_POOL_MAX', 20),
      ssl: postgresSsl(env, databaseUrl),
      sessionTimeouts: {
        statementMs: durationFrom(env, 'DATABASE_STATEMENT_TIMEOUT', '30s'),
        idleInTransactionMs: durationFrom(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT', '60s'),
      },
      ...databaseLogins(env, databaseUrl === undefined),
    },
    kafka: {
      brokers,
      external: brokersRaw !== undefined,
      clientId: nonEmpty(env, 'KAFKA_CLIENT_ID') ?? 'petstore',
      topicPartitions: intFrom(env, 'KAFKA_TOPIC_PARTITIONS', 6),
      retentionMs: retentionFrom(env, 'KAFKA_TOPIC_RETENTION', 'forever'),
      dlqRetentionMs: retentionFrom(env, 'KAFKA_DLQ_RETENTION', '30d'),
      schemaBaseUrl: (urlFrom(env, 'EVENT_SCHEMA_BASE_URL', ['http', 'https']) ?? `http://127.0.0.1:${httpPort}`).replace(/\/+$/, ''),
      metadataMaxAgeMs: durationFrom(env, 'KAFKA_METADATA_MAX_AGE', '30s'),
      ...kafkaReplicationFrom(env, brokersRaw === undefined ? kafkaNodes.length : 1),
      ...kafkaSecurity(env),
      port: kafkaPort,
      controllerPort: kafkaNodes[0]!.controllerPort,
      nodes: kafkaNodes,
    },
    temporal: {
      address: temporalAddress ?? `127.0.0.1:${temporalPort}`,
      namespace: temporalNamespaceFrom(env, namespace),
      external: temporalAddress !== undefined,
      uiUrl: nonEmpty(env, 'TEMPORAL_UI_URL') ?? `http://127.0.0.1:${uiPort}`,
      uiPort,
      port: temporalPort,
      cliPath: nonEmpty(env, 'TEMPORAL_CLI'),
      sqlitePragmas: sqlitePragmasFrom(env),
      taskQueue: namespaced(namespace, nonEmpty(env, 'TEMPORAL_TASK_QUEUE') ?? 'petstore'),
      ...temporalSecurity(env),
      worker: temporalWorkerFrom(env),
    },
    http: {
      host: nonEmpty(env, 'HOST') ?? '127.0.0.1',
      port: httpPort,
      limits: httpLimitsFrom(env),
      trustedProxies: listFrom(env, 'TRUSTED_PROXIES'),
      swaggerUi: switchFrom(env, 'SWAGGER_UI') ?? localStack,
      readinessCacheMs: durationFrom(env, 'READINESS_CACHE_TTL', '2s'),
      corsOrigins: corsOriginsFrom(env),
    },
    auth: {
      jwtSecret: jwtSecretFrom(env),
      issuer: nonEmpty(env, 'JWT_ISSUER') ?? 'petstore',
      audience: nonEmpty(env, 'JWT_AUDIENCE') ?? 'petstore-api',
      localSecretAllowed: localStack,
      maxTtlSeconds: Math.floor(durationFrom(env, 'JWT_MAX_TTL', '24h') / 1000),
      jwksUrl: httpUrl(env, 'JWT_JWKS_URL'),
    },
    rateLimit: rateLimitFrom(env),
    saga: {
      inventoryDeadlineMs: durationFrom(env, 'INVENTORY_DEADLINE', '30s'),
      paymentDeadlineMs: durationFrom(env, 'PAYMENT_DEADLINE', '15m'),
      paymentRetryWindowMs: durationFrom(env, 'PAYMENT_RETRY_WINDOW', '0s'),
    },
    limits: { heldUnitsPerCustomer: intFrom(env, 'MAX_HELD_UNITS_PER_CUSTOMER', 10) },
    admission: {
      // Generous: a flash sale's burst is work, not overload; an operator bounds a process by what it sustains.
      maxInFlight: intFrom(env, 'ADMISSION_MAX_IN_FLIGHT', 512),
      maxSagaInFlight: intFrom(env, 'ADMISSION_MAX_SAGA_IN_FLIGHT', 256),
      maxPerCaller: intFrom(env, 'ADMISSION_MAX_PER_CALLER', 64),
      temporalCallTimeoutMs: durationFrom(env, 'TEMPORAL_CALL_TIMEOUT', '10s'),
    },
    consumers: {
      maxAttempts: intFrom(env, 'CONSUMER_MAX_ATTEMPTS', 5),
      sessionTimeoutMs: durationFrom(env, 'KAFKA_SESSION_TIMEOUT', '30s'),
      partitionsConcurrently: intFrom(env, 'CONSUMER_PARTITIONS_CONCURRENTLY', 6),
      maxWaitMs: durationFrom(env, 'KAFKA_CONSUMER_MAX_WAIT', '500ms'),
      minBytes: intFrom(env, 'KAFKA_CONSUMER_MIN_BYTES', 1),
      commitIntervalMs: durationFrom(env, 'CONSUMER_COMMIT_INTERVAL', '1s'),
    },
    relay: {
      batchSize: intFrom(env, 'OUTBOX_RELAY_BATCH', 500),
      safetyPollMs: durationFrom(env, 'OUTBOX_RELAY_SAFETY_POLL', '1s'),
      producerPerSchema: switchFrom(env, 'OUTBOX_RELAY_PRODUCER_PER_SCHEMA') ?? true,
      retentionMs: durationFrom(env, 'OUTBOX_RETENTION', '1h'),
    },
    cli: { apiUrl: (nonEmpty(env, 'PETSTORE_API_URL') ?? 'http://127.0.0.1:3000').replace(/\/+$/, ''), token: nonEmpty(env, 'PETSTORE_TOKEN') },
    logLevel: nonEmpty(env, 'LOG_LEVEL') ?? 'info',
    logFormat: logFormatFrom(env),
    metrics: {
      ...(nonEmpty(env, 'METRICS_PORT')?.toLowerCase() === 'off' ? { off: true } : { port: optionalPort(env, 'METRICS_PORT') }),
      host: nonEmpty(env, 'METRICS_HOST'),
      temporalPort: optionalPort(env, 'TEMPORAL_METRICS_PORT'),
    },
    storefront: storefrontFrom(env),
    orderEvents: {
      maxStreams: intFrom(env, 'ORDER_EVENTS_MAX_STREAMS', 1000),
      maxStreamsPerUser: intFrom(env, 'ORDER_EVENTS_MAX_STREAMS_PER_USER', 5),
    },
    // The local UI's origin is whichever host was typed: both.
    security: securityFrom(env, { uiOrigins: nonEmpty(env, 'TEMPORAL_UI_URL') ? [new URL(nonEmpty(env, 'TEMPORAL_UI_URL')!).origin] : [`http://127.0.0.1:${uiPort}`, `http://localhost:${uiPort}`] }),
    tracing: tracingFrom(env),
    // The local stack: none of its three endpoints points elsewhere.
    notifications: notificationsFrom(env, { local: localStack, httpPort }),
  };
}
