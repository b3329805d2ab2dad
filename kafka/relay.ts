import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, type Span } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import type { Knex } from 'knex';
import { Client } from 'pg';
import { pgConnection } from '../db/connection';
import { OUTBOX_CHANNEL } from '../db/migrations/building-blocks';
import type { Config } from '../lib/config';
import { crash, type Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { contextFromHeaders, failSpan, headersOfSpan, startSpan, tracingEnabled } from '../lib/tracing';
import type { EventEnvelope } from '../domain/events';
import { toEventMessage } from './envelope';
import type { OutboxSchema } from './outbox';
import { kafkaNames, type Topic } from './topics';

const MAX_BACKOFF_MS = 5000;
/** Rows one prune statement deletes: short statements, so a large backlog of sent rows never holds locks long. */
const PRUNE_BATCH = 5000;

/** How often the active relay prunes sent rows: often enough to keep close to the retention, at most once a second, at least once a minute. */
export const pruneIntervalMs = (retentionMs: number): number => Math.min(60_000, Math.max(1000, Math.floor(retentionMs / 2)));

/**
 * Deletes the schema's outbox rows published more than `retentionMs` ago, in batches. A published row is
 * on Kafka already; keeping it longer would keep what it carries (a sealed payment token, personal data)
 * in one more place. Returns how many it deleted.
 */
export async function pruneOutbox(db: Knex, schema: OutboxSchema, retentionMs: number): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = (await db.raw(
      `delete from ??.outbox where id in (select id from ??.outbox where sent_at is not null and sent_at < now() - make_interval(secs => ?) order by sent_at limit ${PRUNE_BATCH})`,
      [schema, schema, retentionMs / 1000],
    )) as { rowCount: number };
    deleted += result.rowCount;
    if (result.rowCount < PRUNE_BATCH) return deleted;
  }
}

/** A row's trace headers, without the CloudEvents headers rows written before binary mode hold. */
const traceOnly = (headers: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('ce_') && name !== 'correlation_id'));

interface OutboxRow {
  id: string;
  topic: string;
  key: string;
  envelope: EventEnvelope;
  /** The writer's trace context (rows written before CloudEvents binary mode also hold their old ce_ headers, replaced on publish). */
  headers: Record<string, string>;
}

/**
 * Publishes each schema's outbox to Kafka in id order and marks rows sent. It wakes on the
 * outbox trigger's NOTIFY (no polling delay on the happy path; `config.relay.safetyPollMs` covers a
 * missed notification), reads up to `config.relay.batchSize` rows and sends them in one request.
 * With `producerFor`, each schema publishes through a producer of its own, so one schema's send
 * never waits behind another's (an idempotent kafkajs producer has one request in flight). One relay per schema is active
 * at a time (a Postgres advisory lock), so publication order per key is the commit order.
 * Kafka or Postgres being down delays events; it never loses them (at-least-once: consumers dedupe).
 */
export function outboxRelay({
  config,
  db,
  producer,
  producerFor,
  schemas,
  logger,
  onPublished,
}: {
  config: Config;
  db: Knex;
  producer: Producer;
  /** Makes a schema's own producer; without it every schema publishes through `producer`. */
  producerFor?: (schema: OutboxSchema) => Producer;
  schemas: OutboxSchema[];
  logger: Logger;
  /** Called with the age of each published event, for the publish-lag metric. */
  onPublished?: (schema: OutboxSchema, lagMs: number) => void;
}): Component {
  let stopping = false;
  let listener: Client | undefined;
  const wake = new Map<OutboxSchema, () => void>();
  const pending = new Set<OutboxSchema>();
  const loops: Promise<void>[] = [];
  const { batchSize, safetyPollMs, retentionMs } = config.relay;
  const pruneEveryMs = pruneIntervalMs(retentionMs);
  const names = kafkaNames(config.namespace);
  const producers = new Map<OutboxSchema, Producer>(schemas.map((schema) => [schema, producerFor?.(schema) ?? producer]));

  const signal = (schema: OutboxSchema) => {
    pending.add(schema);
    wake.get(schema)?.();
  };

  async function waitForWork(schema: OutboxSchema, ms: number): Promise<void> {
    if (pending.delete(schema)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake.delete(schema);
        resolve();
      }
      wake.set(schema, done);
    });
    pending.delete(schema);
  }

  async function drain(schema: OutboxSchema): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: OutboxRow[] = await db
        .withSchema(schema)
        .table('outbox')
        .select('id', 'topic', 'key', 'envelope', 'headers', 'created_at')
        .whereNull('sent_at')
        .orderBy('id')
        .limit(batchSize);
      if (rows.length === 0) return total;
      const byTopic = new Map<string, { key: string; value: string; headers: Record<string, string> }[]>();
      const spans: Span[] = [];
      for (const row of rows) {
        // The outbox records the domain's topic; the namespace is added here, when it goes to Kafka.
        row.topic = names.topic(row.topic as Topic);
        const messages = byTopic.get(row.topic) ?? [];
        // Only events written inside a trace get a publish span: a lone span per untraced event would be noise.
        const span = tracingEnabled() && row.headers.traceparent ? publishSpan(row) : undefined;
        if (span) spans.push(span);
        // CloudEvents binary mode, made here from the envelope: rows written before it was used go out in it too.
        const message = toEventMessage(row.envelope, config.kafka.schemaBaseUrl);
        messages.push({ key: row.key, value: message.value, headers: headersOfSpan(span, { ...traceOnly(row.headers), ...message.headers }) });
        byTopic.set(row.topic, messages);
      }
      try {
        await producers.get(schema)!.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
      } catch (error) {
        for (const span of spans) failSpan(span, error);
        throw error;
      } finally {
        for (const span of spans) span.end();
      }
      await db.withSchema(schema).table('outbox').whereIn('id', rows.map((r) => r.id)).update({ sent_at: db.fn.now() });
      if (onPublished) {
        const now = Date.now();
        for (const row of rows as (OutboxRow & { created_at: Date })[]) onPublished(schema, now - row.created_at.getTime());
      }
      total += rows.length;
      if (rows.length < batchSize) return total;
    }
  }

  /** A span per published event, child of the span that wrote it (the row's traceparent); the consumer's span becomes its child. */
  function publishSpan(row: OutboxRow): Span | undefined {
    return startSpan(`publish ${row.topic}`, {
      kind: SpanKind.PRODUCER,
      parent: contextFromHeaders(row.headers),
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.topic,
        'messaging.kafka.message.key': row.key,
        'messaging.message.id': row.envelope.id,
      },
    });
  }

  /** Holds the schema's advisory lock on a connection of its own while it is the active relay. */
  async function lead(schema: OutboxSchema): Promise<void> {
    let backoff = 100;
    while (!stopping) {
      const lock = new Client(pgConnection(config));
      let lockLost = false;
      lock.on('error', (error) => {
        lockLost = true;
        logger.warn({ err: error, schema }, 'relay lock connection error');
      });
      lock.on('end', () => (lockLost = true));
      try {
        await lock.connect();
        const { rows } = await lock.query('select pg_try_advisory_lock(hashtext($1)) as ok', [`petstore-outbox:${schema}`]);
        if (!rows[0].ok) {
          await lock.end();
          await waitForWork(schema, 2000); // another relay is active; stand by
          continue;
        }
        logger.info({ schema }, 'outbox relay active');
        backoff = 100;
        pending.add(schema); // publish whatever accumulated while nobody was active
        let lockCheckedAt = Date.now();
        let prunedAt = 0;
        while (!stopping) {
          await waitForWork(schema, safetyPollMs);
          if (stopping) break;
          if (lockLost) throw new Error('the advisory lock connection was lost');
          const sent = await drain(schema);
          if (sent > 0) logger.debug({ schema, sent }, 'outbox published');
          // Only the active relay prunes (it holds the schema's lock), so replicas do not race for the same rows.
          if (Date.now() - prunedAt >= pruneEveryMs) {
            const pruned = await pruneOutbox(db, schema, retentionMs);
            if (pruned > 0) logger.debug({ schema, pruned }, 'published outbox rows pruned');
            prunedAt = Date.now();
          }
          // The lock lives with this connection: a lost one ends the loop above at once (its error or end
          // event); a round trip once per safety poll, not per event, checks a connection that went quiet.
          if (Date.now() - lockCheckedAt >= safetyPollMs) {
            await lock.query('select 1');
            lockCheckedAt = Date.now();
          }
        }
      } catch (error) {
        if (stopping) break;
        logger.warn({ err: error, schema, retryInMs: backoff }, 'outbox relay failed; retrying (events wait in the outbox)');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      } finally {
        await lock.end().catch(() => undefined);
      }
    }
  }

  async function listen(): Promise<void> {
    // One LISTEN connection for all schemas; if it drops, the safety poll covers until it is back.
    while (!stopping) {
      const client = new Client(pgConnection(config));
      try {
        const closed = new Promise<void>((resolve) => {
          client.on('error', () => resolve());
          client.on('end', () => resolve());
        });
        await client.connect();
        client.on('notification', (message) => {
          if (message.payload && (schemas as string[]).includes(message.payload)) signal(message.payload as OutboxSchema);
        });
        await client.query(`listen ${OUTBOX_CHANNEL}`);
        listener = client;
        await closed;
      } catch {
        // reconnect below
      }
      listener = undefined;
      await client.end().catch(() => undefined);
      if (!stopping) await sleep(1000);
    }
  }

  return {
    name: 'outbox-relay',
    async start() {
      // The producers this relay publishes through (the shared one only when it is used).
      await Promise.all([...new Set(producers.values())].map((p) => p.connect()));
      loops.push(listen().catch((error: unknown) => crash(logger, 'outbox-relay', error)));
      for (const schema of schemas) loops.push(lead(schema).catch((error: unknown) => crash(logger, 'outbox-relay', error)));
    },
    async stop() {
      stopping = true;
      for (const schema of schemas) signal(schema);
      await listener?.end().catch(() => undefined);
      await Promise.all(loops);
      await Promise.all([...new Set(producers.values())].map((p) => p.disconnect()));
    },
  };
}
