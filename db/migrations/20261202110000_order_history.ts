import type { Knex } from 'knex';

const S = 'order_history';

/**
 * The order-history projection: one row per order with the facts its events carried, built from the
 * event topics alone by its own consumer group (services/order-history). It owns no outbox and no
 * processed-events table: a fact is keyed by its event id, so applying an event again changes nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('histories', (t) => {
    t.text('order_id').primary({ constraintName: 'histories_pkey' }).comment('the Kafka key of the events: the order id');
    t.text('user_id').comment('the customer the events name (null until an event naming one arrived)');
    t.jsonb('facts').notNullable().defaultTo('{}').comment('{ <event id>: { type, time, data } }: a union, whatever order the events came in');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index histories_user_id_idx on ??.histories (user_id)', [S]);
  await knex.raw(`comment on table ??.histories is 'The order-history projection: each order''s facts by event id, from the orders, payments and notifications topics; rebuilt by petstore events rebuild order-history.'`, [S]);
}

/** Drops the projection: it can be rebuilt from the topics. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists ?? cascade', [S]);
}
