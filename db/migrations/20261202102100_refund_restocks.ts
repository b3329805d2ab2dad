import type { Knex } from 'knex';

const S = 'inventory';

/**
 * Restocks of refunded lines: a partial refund with restock puts its lines back in stock once per
 * refund and pet, and a later cancel restocks only what no refund restocked.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('refund_restocks', (t) => {
    t.uuid('refund_id').notNullable().comment('the Payment service\'s refund (PaymentRefunded.refundId)');
    t.uuid('order_id').notNullable();
    t.uuid('pet_id').notNullable();
    t.integer('quantity').notNullable().comment('units put back in stock: never more than the order reserved');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['refund_id', 'pet_id'], { constraintName: 'refund_restocks_pkey' });
    t.check('?? > 0', ['quantity'], 'refund_restocks_quantity_valid');
  });
  await knex.raw('create index refund_restocks_order_idx on ??.refund_restocks (order_id)', [S]);
  await knex.raw(`comment on table ??.refund_restocks is 'Units put back in stock for refunded order lines, once per refund and pet.'`, [S]);
}

/** Drops the refund restocks. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('refund_restocks');
}
