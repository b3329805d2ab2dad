import type { Knex } from 'knex';

const S = 'payments';

/**
 * Partial refunds: a payment may be refunded several times, by amount or by order line, never beyond
 * what was captured. The payment keeps its captured lines (from InventoryReserved) and what has been
 * refunded so far; each refund row names its amount, lines, reason, who asked and the gateway's
 * reference; a refund's Idempotency-Key is claimed in the same table as a payment's.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table ??.payments drop constraint payments_status_valid', [S]);
  await knex.raw(`alter table ??.payments add constraint payments_status_valid check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'))`, [S]);
  await knex.schema.withSchema(S).alterTable('payments', (t) => {
    t.jsonb('lines').comment('the captured order lines [{petId, quantity, unitPriceCents}], from InventoryReserved; null until then (or for payments older than partial refunds whose order lines were not found)');
    t.bigInteger('refunded_cents').notNullable().defaultTo(0).comment('the sum of this payment\'s refunds: never above amount_cents');
  });
  await knex.raw('alter table ??.payments add constraint payments_refunded_valid check (refunded_cents >= 0 and (refunded_cents = 0 or refunded_cents <= amount_cents))', [S]);
  // Payments captured before this release: their lines as Inventory priced them, their refunds (one each, in full) as they were.
  await knex.raw(
    `update ??.payments p set lines = l.lines
       from (select order_id, jsonb_agg(jsonb_build_object('petId', pet_id, 'quantity', quantity, 'unitPriceCents', unit_price_cents) order by pet_id) as lines
               from inventory.reservation_items group by order_id) l
      where l.order_id = p.order_id and p.amount_cents is not null`,
    [S],
  );
  await knex.raw('update ??.payments p set refunded_cents = r.amount_cents from ??.refunds r where r.payment_id = p.id', [S, S]);

  await knex.raw('alter table ??.refunds drop constraint refunds_payment_id_key', [S]);
  await knex.schema.withSchema(S).alterTable('refunds', (t) => {
    t.specificType('currency', 'char(3)').comment('the payment\'s currency');
    t.jsonb('lines').notNullable().defaultTo('[]').comment('the order lines refunded [{petId, quantity, unitPriceCents}]; empty for a refund by amount');
    t.text('actor').notNullable().defaultTo('system').comment('who asked: support\'s token subject, or system for the refund of a cancelled order');
    t.boolean('restock').notNullable().defaultTo(false).comment('whether Inventory was asked to put the refunded lines back in stock');
    t.bigInteger('remaining_cents').notNullable().defaultTo(0).comment('what stayed refundable after this refund (0: refunded in full)');
  });
  await knex.raw('update ??.refunds r set currency = p.currency from ??.payments p where p.id = r.payment_id', [S, S]);
  await knex.raw('alter table ??.refunds alter column currency set not null', [S]);
  await knex.raw('alter table ??.refunds add constraint refunds_amount_valid check (amount_cents > 0 and remaining_cents >= 0)', [S]);
  await knex.raw('create index refunds_payment_idx on ??.refunds (payment_id, created_at, id)', [S]);
  await knex.raw(`comment on table ??.refunds is 'Refunds of captured payments, several per payment (by amount or by line), never beyond what was captured.'`, [S]);
  await knex.raw(`comment on column ??.refunds.created_at is 'when the refund was made'`, [S]);

  await knex.schema.withSchema(S).alterTable('idempotency_keys', (t) => {
    t.uuid('refund_id').comment('the refund a refund key answered with (scope refund:<paymentId>)');
  });
  // The gateway simulator checks a refund against its charge and the charge's earlier refunds.
  await knex.raw('create index if not exists charges_reference_idx on gateway.charges (reference)');
  await knex.raw('create index if not exists refunds_charge_reference_idx on gateway.refunds (charge_reference)');
  await knex.raw(`comment on column ??.idempotency_keys.scope is 'what the key was used for: the order paid (POST /payments), or refund:<paymentId> (POST /payments/:paymentId/refunds)'`, [S]);
}

/** Back to one refund per payment: refused while a payment has more than one refund. */
export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists gateway.refunds_charge_reference_idx');
  await knex.raw('drop index if exists gateway.charges_reference_idx');
  await knex.schema.withSchema(S).alterTable('idempotency_keys', (t) => {
    t.dropColumn('refund_id');
  });
  await knex.raw('drop index if exists ??.refunds_payment_idx', [S]);
  await knex.raw('alter table ??.refunds drop constraint refunds_amount_valid', [S]);
  await knex.schema.withSchema(S).alterTable('refunds', (t) => {
    t.dropColumn('currency');
    t.dropColumn('lines');
    t.dropColumn('actor');
    t.dropColumn('restock');
    t.dropColumn('remaining_cents');
  });
  await knex.raw('alter table ??.refunds add constraint refunds_payment_id_key unique (payment_id)', [S]);
  await knex.raw(`comment on table ??.refunds is 'At most one refund per payment: a captured payment is refunded once.'`, [S]);
  await knex.raw('alter table ??.payments drop constraint payments_refunded_valid', [S]);
  await knex.schema.withSchema(S).alterTable('payments', (t) => {
    t.dropColumn('lines');
    t.dropColumn('refunded_cents');
  });
  await knex.raw(`update ??.payments set status = 'SUCCEEDED' where status = 'PARTIALLY_REFUNDED'`, [S]);
  await knex.raw('alter table ??.payments drop constraint payments_status_valid', [S]);
  await knex.raw(`alter table ??.payments add constraint payments_status_valid check (status in ('PENDING', 'SUCCEEDED', 'FAILED', 'REFUNDED'))`, [S]);
}
