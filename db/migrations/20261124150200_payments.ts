import type { Knex } from 'knex';
import { createOutbox, createProcessedEvents, dropEventTables } from './building-blocks';

const S = 'payments';

/** Payment: one payment per order (retries are attempts), refunds, and Idempotency-Keys. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('payments', (t) => {
    t.uuid('id').primary({ constraintName: 'payments_pkey' });
    t.uuid('order_id').notNullable().unique({ indexName: 'payments_order_id_key' }).comment('one payment per order: no double charge');
    t.text('user_id').notNullable();
    t.text('payment_token').notNullable().comment('the gateway token of the latest attempt (a token, never card data)');
    t.bigInteger('amount_cents').comment('known once Inventory reserved the pets');
    t.specificType('currency', 'char(3)');
    t.text('status').notNullable();
    t.text('gateway_ref');
    t.text('failure_reason');
    t.integer('attempts').notNullable().defaultTo(0).comment('charge attempts at the gateway');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED')`, ['status'], 'payments_status_valid');
  });
  await knex.schema.withSchema(S).createTable('refunds', (t) => {
    t.uuid('id').primary({ constraintName: 'refunds_pkey' });
    t.uuid('payment_id').notNullable().unique({ indexName: 'refunds_payment_id_key' }).references('id').inTable(`${S}.payments`).withKeyName('refunds_payment_fkey');
    t.bigInteger('amount_cents').notNullable();
    t.text('gateway_ref').notNullable();
    t.text('reason').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`comment on table ??.refunds is 'At most one refund per payment: a captured payment is refunded once.'`, [S]);
  await knex.schema.withSchema(S).createTable('idempotency_keys', (t) => {
    t.text('key').notNullable();
    t.text('scope').notNullable().comment('the order the key was used for');
    t.text('request_hash').notNullable();
    t.uuid('payment_id');
    t.text('state').notNullable().defaultTo('IN_FLIGHT');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['scope', 'key'], { constraintName: 'idempotency_keys_pkey' });
    t.check(`?? in ('IN_FLIGHT', 'DONE')`, ['state'], 'idempotency_keys_state_valid');
  });
  await createOutbox(knex, S);
  await createProcessedEvents(knex, S);
}

/** Drops the payments schema's tables. */
export async function down(knex: Knex): Promise<void> {
  await dropEventTables(knex, S);
  await knex.schema.withSchema(S).dropTableIfExists('idempotency_keys');
  await knex.schema.withSchema(S).dropTableIfExists('refunds');
  await knex.schema.withSchema(S).dropTableIfExists('payments');
}
