import type { Knex } from 'knex';

const S = 'notifications';

/**
 * Notification delivers webhooks and email outside the consumers' transactions: a notification row
 * is the delivery's queue entry (PENDING, with its tries and when the next one is due) until it is
 * DELIVERED (a webhook's 2xx), SENT (accepted by the SMTP server) or FAILED (with the error). Adds the
 * customers' contact profiles, per-endpoint webhook secrets, and what Notification keeps of an order
 * for its emails (lines and total, from InventoryReserved).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table ??.notifications drop constraint notifications_channel_valid', [S]);
  await knex.raw(`alter table ??.notifications add constraint notifications_channel_valid check (channel in ('log', 'webhook', 'email'))`, [S]);
  await knex.raw('alter table ??.notifications drop constraint notifications_status_valid', [S]);
  await knex.raw(`alter table ??.notifications add constraint notifications_status_valid check (status in ('PENDING', 'DELIVERED', 'SENT', 'FAILED'))`, [S]);
  await knex.schema.withSchema(S).alterTable('notifications', (t) => {
    t.integer('attempts').notNullable().defaultTo(0).comment('delivery tries so far (counted when a try starts, so a crash mid-try counts too)');
    t.timestamp('next_attempt_at', { useTz: true }).comment('PENDING: when the delivery worker may try (again); a try in flight holds it a lease ahead; null once final');
    t.jsonb('details').notNullable().defaultTo('{}').comment('the facts an email template needs: lines, total, reason, amount');
  });
  await knex.raw('alter table ??.notifications add constraint notifications_attempts_valid check (attempts >= 0)', [S]);
  // A PENDING row always has a due time, and a final one never: the worker's index needs no null test.
  await knex.raw(`alter table ??.notifications add constraint notifications_pending_due check ((status = 'PENDING') = (next_attempt_at is not null))`, [S]);
  await knex.raw(`create index notifications_due_idx on ??.notifications (next_attempt_at) where status = 'PENDING'`, [S]);
  await knex.raw(`comment on column ??.notifications.status is 'PENDING until delivered: DELIVERED (log, webhook 2xx), SENT (email accepted by the SMTP server) or FAILED (error says why)'`, [S]);
  await knex.raw(`comment on column ??.notifications.error is 'the error of the last failed try (URLs left out)'`, [S]);

  await knex.schema.withSchema(S).alterTable('user_channels', (t) => {
    t.text('webhook_secret').comment('the Standard Webhooks secret (whsec_...) of this endpoint; null: the configured WEBHOOK_SECRET signs');
  });

  await knex.schema.withSchema(S).createTable('contacts', (t) => {
    t.text('user_id').primary({ constraintName: 'contacts_pkey' }).comment('the customer (token subject)');
    t.text('email').notNullable().comment('where emails go');
    t.text('name').comment('how emails greet the customer');
    t.boolean('email_enabled').notNullable().defaultTo(true).comment('the customer wants notifications by email');
    t.boolean('webhook_enabled').notNullable().defaultTo(true).comment('the customer wants notifications on their webhook, when one is set');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`char_length(??) between 3 and 254 and ?? ~ '^[^@\\s]+@[^@\\s]+$'`, ['email', 'email'], 'contacts_email_valid');
    t.check('?? is null or char_length(??) between 1 and 100', ['name', 'name'], 'contacts_name_length');
  });
  await knex.raw(`comment on table ??.contacts is 'Customers'' contact profiles (GET/PUT /me/contact): email address, name and channel preferences.'`, [S]);

  await knex.schema.withSchema(S).createTable('order_summaries', (t) => {
    t.uuid('order_id').primary({ constraintName: 'order_summaries_pkey' });
    t.jsonb('items').notNullable().comment('the priced lines, as InventoryReserved carried them');
    t.integer('total_cents').notNullable();
    t.text('currency').notNullable();
    t.timestamp('recorded_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check('?? >= 0', ['total_cents'], 'order_summaries_total_valid');
  });
  await knex.raw(`comment on table ??.order_summaries is 'What Notification learnt of an order from InventoryReserved, for the items in its emails (it reads no other service''s tables).'`, [S]);
}

/** Drops the profiles, summaries and delivery columns; email rows go, and the old statuses return (a PENDING delivery becomes FAILED). */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('order_summaries');
  await knex.schema.withSchema(S).dropTableIfExists('contacts');
  await knex.schema.withSchema(S).alterTable('user_channels', (t) => t.dropColumn('webhook_secret'));
  await knex.raw('drop index if exists ??.notifications_due_idx', [S]);
  await knex.raw('alter table ??.notifications drop constraint notifications_attempts_valid, drop constraint notifications_pending_due', [S]);
  await knex.withSchema(S).table('notifications').where({ channel: 'email' }).delete();
  await knex.withSchema(S).table('notifications').where({ status: 'PENDING' }).update({ status: 'FAILED', error: 'still pending when the delivery queue was migrated away' });
  await knex.withSchema(S).table('notifications').where({ status: 'SENT' }).update({ status: 'DELIVERED' });
  await knex.schema.withSchema(S).alterTable('notifications', (t) => {
    t.dropColumns('attempts', 'next_attempt_at', 'details');
  });
  await knex.raw('alter table ??.notifications drop constraint notifications_status_valid', [S]);
  await knex.raw(`alter table ??.notifications add constraint notifications_status_valid check (status in ('DELIVERED', 'FAILED'))`, [S]);
  await knex.raw('alter table ??.notifications drop constraint notifications_channel_valid', [S]);
  await knex.raw(`alter table ??.notifications add constraint notifications_channel_valid check (channel in ('log', 'webhook'))`, [S]);
}
