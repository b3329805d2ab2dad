import type { Knex } from 'knex';
import { createOutbox, createProcessedEvents, dropEventTables } from './building-blocks';

const S = 'inventory';

/** Pet Inventory: the catalogue, stock, and each order's reservation. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('pets', (t) => {
    t.uuid('id').primary({ constraintName: 'pets_pkey' });
    t.text('name').notNullable();
    t.text('species').notNullable();
    t.text('breed');
    t.integer('age').comment('years');
    t.text('description');
    t.specificType('tags', 'text[]').notNullable().defaultTo('{}');
    t.integer('price_cents').notNullable().comment('integer cents: no floating point for money');
    t.specificType('currency', 'char(3)').notNullable().defaultTo('EUR');
    t.integer('stock').notNullable().comment('units on hand; reservations decrement it');
    t.integer('version').notNullable().defaultTo(1).comment('optimistic concurrency: PUT with If-Match');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('deleted_at', { useTz: true }).comment('removed from the catalogue; kept for the orders that name it');
    t.check('?? >= 0', ['stock'], 'pets_stock_not_negative');
    t.check('?? >= 0', ['price_cents'], 'pets_price_not_negative');
  });
  await knex.raw('create index pets_species_idx on ??.pets (species, created_at, id) where deleted_at is null', [S]);
  await knex.raw('create index pets_listing_idx on ??.pets (created_at, id) where deleted_at is null', [S]);
  await knex.raw(`comment on table ??.pets is 'The catalogue. Status (available/sold_out) is derived from stock.'`, [S]);

  await knex.schema.withSchema(S).createTable('reservations', (t) => {
    t.uuid('order_id').primary({ constraintName: 'reservations_pkey' }).comment('one reservation per order, ever');
    t.text('status').notNullable();
    t.text('reason').comment('why it was rejected');
    t.bigInteger('total_cents');
    t.specificType('currency', 'char(3)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('RESERVED', 'REJECTED', 'COMMITTED', 'RELEASED', 'VOID')`, ['status'], 'reservations_status_valid');
  });
  await knex.raw(
    `comment on table ??.reservations is 'RESERVED holds stock; COMMITTED when the order is confirmed; RELEASED when restocked on cancel; REJECTED when it could not be made; VOID when the cancel came first.'`,
    [S],
  );
  await knex.schema.withSchema(S).createTable('reservation_items', (t) => {
    t.uuid('order_id').notNullable().references('order_id').inTable(`${S}.reservations`).withKeyName('reservation_items_order_fkey').onDelete('CASCADE');
    t.uuid('pet_id').notNullable().references('id').inTable(`${S}.pets`).withKeyName('reservation_items_pet_fkey');
    t.integer('quantity').notNullable();
    t.integer('unit_price_cents').notNullable().comment('the price captured when the pets were reserved');
    t.primary(['order_id', 'pet_id'], { constraintName: 'reservation_items_pkey' });
    t.check('?? > 0', ['quantity'], 'reservation_items_quantity_positive');
  });
  await knex.raw('create index reservation_items_pet_idx on ??.reservation_items (pet_id)', [S]);
  await createOutbox(knex, S);
  await createProcessedEvents(knex, S);
}

/** Drops the inventory schema's tables. */
export async function down(knex: Knex): Promise<void> {
  await dropEventTables(knex, S);
  await knex.schema.withSchema(S).dropTableIfExists('reservation_items');
  await knex.schema.withSchema(S).dropTableIfExists('reservations');
  await knex.schema.withSchema(S).dropTableIfExists('pets');
}
