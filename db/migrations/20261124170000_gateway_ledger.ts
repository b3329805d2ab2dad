import type { Knex } from 'knex';

const S = 'gateway';

/**
 * The simulated payment processor's own books. A real processor keeps charges per idempotency key
 * on its side, across our restarts and across our instances; the simulator does the same here,
 * outside any service's transaction, so a charge made just before a crash is remembered.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('charges', (t) => {
    t.text('idempotency_key').primary({ constraintName: 'charges_pkey' }).comment('the key Payment sent: one charge per key, whatever the retries');
    t.uuid('order_id').comment("the merchant's reference: the order paid for");
    t.text('token').notNullable().comment('the payment method token (never card data)');
    t.bigInteger('amount_cents').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('outcome').notNullable();
    t.text('reference').comment('the charge reference, when captured');
    t.text('message').comment('why it was declined');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('succeeded', 'declined')`, ['outcome'], 'charges_outcome_valid');
  });
  await knex.raw('create index charges_order_idx on ??.charges (order_id)', [S]);
  await knex.schema.withSchema(S).createTable('refunds', (t) => {
    t.text('idempotency_key').primary({ constraintName: 'refunds_pkey' });
    t.text('charge_reference').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('reference').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`comment on table ??.charges is 'Charges the simulated processor answered, one per idempotency key; pending answers are not kept.'`, [S]);
  await knex.raw(`comment on table ??.refunds is 'Refunds the simulated processor made, one per idempotency key.'`, [S]);
}

/** Drops the simulated processor's books. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('refunds');
  await knex.schema.withSchema(S).dropTableIfExists('charges');
  await knex.raw('drop schema if exists ??', [S]);
}
