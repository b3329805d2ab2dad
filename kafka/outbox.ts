import type { Knex } from 'knex';
import type { EventEnvelope } from '../domain/events';
import { headersOf, topicOf } from './envelope';

/** The service schemas that own an outbox. */
export type OutboxSchema = 'inventory' | 'orders' | 'payments' | 'notifications';

/** Writes events into the schema's outbox, inside the caller's transaction: state change and event commit together. */
export async function writeEvents(trx: Knex.Transaction | Knex, schema: OutboxSchema, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
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
        headers: JSON.stringify(headersOf(event)),
      })),
    );
}
