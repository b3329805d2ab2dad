import type { Knex } from 'knex';
import type { EventEnvelope } from '../domain/events';
import { traceHeaders } from '../lib/tracing';
import { topicOf } from './envelope';

/** The service schemas that own an outbox. */
export type OutboxSchema = 'inventory' | 'orders' | 'payments' | 'notifications';

/** Writes events into the schema's outbox, inside the caller's transaction: state change and event commit together. */
export async function writeEvents(trx: Knex.Transaction | Knex, schema: OutboxSchema, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  // The writer's trace context travels with the event (traceparent), so its consumers continue the trace;
  // the CloudEvents headers are made from the envelope when the relay publishes it.
  const trace = traceHeaders();
  await trx
    .withSchema(schema)
    .table('outbox')
    .insert(
      events.map((event) => ({
        event_id: event.id,
        topic: topicOf(event.type),
        key: event.orderId,
        type: event.type,
        envelope: JSON.stringify(event),
        headers: JSON.stringify(trace),
      })),
    );
}

/** One schema's outbox at a glance: events not yet published, and how long the oldest has waited. */
export interface OutboxBacklog {
  schema: OutboxSchema;
  unpublished: number;
  oldestAgeSeconds: number;
}

/**
 * Each schema's unpublished events, in one statement over the outbox_unsent_idx partial indexes
 * (only unsent rows are read), for scrape time; Postgres cancels it after `timeoutMs`.
 */
export async function outboxBacklog(db: Knex, schemas: readonly OutboxSchema[], timeoutMs = 2000): Promise<OutboxBacklog[]> {
  if (schemas.length === 0) return [];
  const parts = schemas.map(() => 'select ? as schema, count(*)::int as unpublished, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age from ??.outbox where sent_at is null');
  const bindings = schemas.flatMap((schema) => [schema, schema]);
  const result = (await db.raw(parts.join(' union all '), bindings).timeout(timeoutMs, { cancel: true })) as { rows: { schema: OutboxSchema; unpublished: number; age: number }[] };
  return result.rows.map((row) => ({ schema: row.schema, unpublished: row.unpublished, oldestAgeSeconds: Math.max(0, row.age) }));
}
