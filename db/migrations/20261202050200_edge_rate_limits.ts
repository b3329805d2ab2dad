import type { Knex } from 'knex';

const S = 'edge';

/**
 * The REST API's shared request budgets (RATE_LIMIT_STORE=postgres): one row per caller and limit,
 * counted in one upsert per request, so every API replica spends the same budget.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('rate_limits', (t) => {
    t.text('key').primary({ constraintName: 'rate_limits_pkey' }).comment('the limit and the caller: ip:<address>, or user:<id> / ip:<address> with :read or :write');
    t.integer('hits').notNullable().comment('requests counted in the current window');
    t.timestamp('window_ends_at', { useTz: true }).notNullable().comment('when the count starts again from zero');
  });
  await knex.raw('create index rate_limits_window_ends_at_idx on ??.rate_limits (window_ends_at)', [S]);
  await knex.raw(`comment on table ??.rate_limits is 'Request counts per caller and window, shared by the API replicas; rows past their window are pruned.'`, [S]);
}

/** Drops the shared budgets. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('rate_limits');
  await knex.raw('drop schema if exists ?? cascade', [S]);
}
