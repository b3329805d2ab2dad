import type { Knex } from 'knex';

const S = 'orders';

/**
 * A cancelled order's compensations as the saga sees them: pending until Inventory answered the restock
 * and Payment the refund it asked for, done once both did, stuck when the compensation deadline passed
 * first. Null for orders that are not cancelled, or were cancelled where no saga tracks it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('orders', (t) => {
    t.text('compensation').comment('pending | done | stuck: whether the restock and refund the cancel asked for were answered; null when not tracked');
  });
  // Raw: knex's alterTable loses the identifier bindings of a check.
  await knex.raw(`alter table ??.orders add constraint orders_compensation_valid check (compensation is null or (status = 'CANCELLED' and compensation in ('pending', 'done', 'stuck')))`, [S]);
}

/** Drops the column and its constraint. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).alterTable('orders', (t) => {
    t.dropChecks(['orders_compensation_valid']);
    t.dropColumn('compensation');
  });
}
