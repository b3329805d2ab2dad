import type { Knex } from 'knex';

/**
 * What capping the units one customer holds in open orders needs: Inventory keeps who holds each
 * reservation (it enforces the cap), and Order finds a customer's open orders quickly (it refuses
 * an order over the cap before starting its saga).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('inventory').alterTable('reservations', (t) => {
    t.text('user_id').comment('the customer the pets are held for; null on rows written before it was kept');
  });
  await knex.raw(`create index reservations_held_by_idx on inventory.reservations (user_id) where status = 'RESERVED'`);
  await knex.raw(`create index orders_open_by_user_idx on orders.orders (user_id) where status in ('PLACED', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT')`);
}

/** Drops the holder column and the open-orders index. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists orders.orders_open_by_user_idx');
  await knex.raw('drop index if exists inventory.reservations_held_by_idx');
  await knex.schema.withSchema('inventory').alterTable('reservations', (t) => {
    t.dropColumn('user_id');
  });
}
