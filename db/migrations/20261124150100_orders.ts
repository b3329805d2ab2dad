import type { Knex } from 'knex';
import { createOutbox, createProcessedEvents, dropEventTables } from './building-blocks';

const S = 'orders';

/** Order: orders, their lines and every status transition. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('orders', (t) => {
    t.uuid('id').primary({ constraintName: 'orders_pkey' }).comment('the saga runs as workflow order-<id>');
    t.text('user_id').notNullable();
    t.text('status').notNullable();
    t.text('cancel_reason');
    t.bigInteger('total_cents').comment('known once Inventory reserved the pets at their current prices');
    t.specificType('currency', 'char(3)');
    t.uuid('payment_id');
    t.text('request_hash').comment('hash of the placing request, to refuse an Idempotency-Key reused with another body');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('PLACED', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED', 'CANCELLED')`, ['status'], 'orders_status_valid');
    t.check(`(?? = 'CANCELLED') = (?? is not null)`, ['status', 'cancel_reason'], 'orders_cancel_reason_iff_cancelled');
  });
  await knex.raw('create index orders_user_idx on ??.orders (user_id, created_at desc, id desc)', [S]);
  // Support lists (GET /orders?status=&since=) page newest first.
  await knex.raw('create index orders_status_idx on ??.orders (status, created_at desc, id desc)', [S]);
  await knex.raw('create index orders_created_idx on ??.orders (created_at desc, id desc)', [S]);
  await knex.schema.withSchema(S).createTable('order_items', (t) => {
    t.uuid('order_id').notNullable().references('id').inTable(`${S}.orders`).withKeyName('order_items_order_fkey').onDelete('CASCADE');
    t.uuid('pet_id').notNullable();
    t.integer('quantity').notNullable();
    t.integer('unit_price_cents').comment('captured from InventoryReserved');
    t.primary(['order_id', 'pet_id'], { constraintName: 'order_items_pkey' });
    t.check('?? > 0', ['quantity'], 'order_items_quantity_positive');
  });
  await knex.schema.withSchema(S).createTable('order_transitions', (t) => {
    t.bigIncrements('id').primary({ constraintName: 'order_transitions_pkey' });
    t.uuid('order_id').notNullable().references('id').inTable(`${S}.orders`).withKeyName('order_transitions_order_fkey').onDelete('CASCADE');
    t.text('status').notNullable();
    t.text('reason');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('create index order_transitions_order_idx on ??.order_transitions (order_id, id)', [S]);
  await knex.raw(`comment on table ??.order_transitions is 'When each order entered each status: the timestamps per transition.'`, [S]);
  await createOutbox(knex, S);
  await createProcessedEvents(knex, S);
}

/** Drops the orders schema's tables. */
export async function down(knex: Knex): Promise<void> {
  await dropEventTables(knex, S);
  await knex.schema.withSchema(S).dropTableIfExists('order_transitions');
  await knex.schema.withSchema(S).dropTableIfExists('order_items');
  await knex.schema.withSchema(S).dropTableIfExists('orders');
}
