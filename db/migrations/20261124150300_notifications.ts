import type { Knex } from 'knex';
import { createOutbox, createProcessedEvents, dropEventTables } from './building-blocks';

const S = 'notifications';

/** Notification: what was sent to whom, once per event, and where users want webhooks. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('notifications', (t) => {
    t.uuid('id').primary({ constraintName: 'notifications_pkey' });
    t.uuid('event_id').notNullable().comment('the event that caused it');
    t.text('user_id').notNullable();
    t.uuid('order_id');
    t.text('kind').notNullable();
    t.text('channel').notNullable();
    t.text('body').notNullable();
    t.text('status').notNullable();
    t.text('error');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['event_id', 'channel'], { indexName: 'notifications_event_channel_key' });
    t.check(`?? in ('log', 'webhook')`, ['channel'], 'notifications_channel_valid');
    t.check(`?? in ('DELIVERED', 'FAILED')`, ['status'], 'notifications_status_valid');
  });
  await knex.raw('create index notifications_user_idx on ??.notifications (user_id, created_at desc, id desc)', [S]);
  await knex.raw('create index notifications_order_idx on ??.notifications (order_id, created_at desc, id desc)', [S]);
  await knex.raw(`comment on table ??.notifications is 'Each notification delivered once per event and channel.'`, [S]);
  await knex.schema.withSchema(S).createTable('user_channels', (t) => {
    t.text('user_id').primary({ constraintName: 'user_channels_pkey' });
    t.text('webhook_url').comment('optional: where webhook notifications for this user are POSTed');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await createOutbox(knex, S);
  await createProcessedEvents(knex, S);
}

/** Drops the notifications schema's tables. */
export async function down(knex: Knex): Promise<void> {
  await dropEventTables(knex, S);
  await knex.schema.withSchema(S).dropTableIfExists('user_channels');
  await knex.schema.withSchema(S).dropTableIfExists('notifications');
}
