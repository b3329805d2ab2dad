import type { Knex } from 'knex';

// Tables every service schema has. Landed migrations call these, so they are frozen like the
// migrations themselves: change the shape in a new migration, never here.

/** Postgres channel the outbox triggers notify, with the schema name as payload. */
export const OUTBOX_CHANNEL = 'petstore_outbox';

/** The transactional outbox: events written with the state change, published by the relay. */
export async function createOutbox(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('outbox', (t) => {
    t.bigIncrements('id').primary({ constraintName: 'outbox_pkey' });
    t.uuid('event_id').notNullable().unique({ indexName: 'outbox_event_id_key' }).comment('the envelope id consumers deduplicate on');
    t.text('topic').notNullable();
    t.text('key').notNullable().comment('Kafka key: the order id');
    t.text('type').notNullable();
    t.jsonb('envelope').notNullable().comment('the JSON envelope as published');
    t.jsonb('headers').notNullable().defaultTo('{}');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).comment('null until the relay has published it');
  });
  await knex.raw(`comment on table ??.outbox is 'Events waiting for (or done with) publication to Kafka; written in the same transaction as the state change.'`, [schema]);
  await knex.raw('create index outbox_unsent_idx on ??.outbox (id) where sent_at is null', [schema]);
  // Wake the relay at commit time instead of making it poll.
  await knex.raw(
    `create function ??.outbox_notify() returns trigger language plpgsql as $$
     begin perform pg_notify('${OUTBOX_CHANNEL}', '${schema}'); return null; end $$`,
    [schema],
  );
  await knex.raw('create trigger outbox_notify after insert on ??.outbox for each statement execute function ??.outbox_notify()', [schema, schema]);
}

/** The consumer's idempotency record: an event id is processed at most once per group. */
export async function createProcessedEvents(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('processed_events', (t) => {
    t.uuid('event_id').notNullable();
    t.text('consumer_group').notNullable();
    t.text('type').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['consumer_group', 'event_id'], { constraintName: 'processed_events_pkey' });
  });
  await knex.raw(`comment on table ??.processed_events is 'Events this service has applied, written in the same transaction as their effects.'`, [schema]);
}

/** Drops what createOutbox and createProcessedEvents made. */
export async function dropEventTables(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).dropTableIfExists('processed_events');
  await knex.schema.withSchema(schema).dropTableIfExists('outbox');
  await knex.raw('drop function if exists ??.outbox_notify()', [schema]);
}
