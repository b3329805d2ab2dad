import type { Knex } from 'knex';

const S = 'notifications';

/**
 * Webhook subscriptions (POST /me/webhooks): an owner's endpoint, the event types it wants and its own
 * Standard Webhooks secret; a delivery per subscription and event, queued like the notifications (PENDING
 * with its tries and next due time) and sent by the subscription delivery worker; and one row per try for
 * the delivery log (GET /me/webhooks/:id/deliveries).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).createTable('webhook_subscriptions', (t) => {
    t.uuid('id').primary({ constraintName: 'webhook_subscriptions_pkey' });
    t.text('owner_id').notNullable().comment('the token subject that created it: only they see, change or delete it');
    t.text('scope').notNullable().comment('own-orders: events of the owner\'s orders (customers); all-orders: every order\'s (admins, for integrators)');
    t.text('url').notNullable().comment('where deliveries are POSTed (checked against the webhook URL policy when created and on every try)');
    t.text('secret').notNullable().comment('the Standard Webhooks secret (whsec_...) that signs its deliveries; shown to the owner once');
    t.specificType('event_types', 'text[]').notNullable().comment('the domain event types it wants (OrderConfirmed, PaymentRefunded, ...)');
    t.text('description').comment('the owner\'s own label');
    t.text('status').notNullable().comment('PENDING_VERIFICATION until the endpoint echoed the challenge, then ACTIVE; DISABLED after too many consecutive failures');
    t.integer('consecutive_failures').notNullable().defaultTo(0).comment('failed tries since the last success; at WEBHOOK_MAX_CONSECUTIVE_FAILURES it is DISABLED');
    t.text('disabled_reason');
    t.timestamp('verified_at', { useTz: true });
    t.timestamp('disabled_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('own-orders', 'all-orders')`, ['scope'], 'webhook_subscriptions_scope_valid');
    t.check(`?? in ('PENDING_VERIFICATION', 'ACTIVE', 'DISABLED')`, ['status'], 'webhook_subscriptions_status_valid');
    t.check('cardinality(??) between 1 and 20', ['event_types'], 'webhook_subscriptions_event_types_count');
    t.check('?? >= 0', ['consecutive_failures'], 'webhook_subscriptions_failures_valid');
  });
  await knex.raw('create index webhook_subscriptions_owner_idx on ??.webhook_subscriptions (owner_id, created_at desc, id desc)', [S]);
  // The fan-out reads the active subscriptions of one owner (or every all-orders one) wanting one type.
  await knex.raw(`create index webhook_subscriptions_active_idx on ??.webhook_subscriptions using gin (event_types) where status = 'ACTIVE'`, [S]);
  await knex.raw(`comment on table ??.webhook_subscriptions is 'Webhook subscriptions of customers and integrators (POST /me/webhooks), owned by Notification.'`, [S]);

  await knex.schema.withSchema(S).createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary({ constraintName: 'webhook_deliveries_pkey' });
    t.uuid('subscription_id').notNullable().references('id').inTable(`${S}.webhook_subscriptions`).onDelete('CASCADE').withKeyName('webhook_deliveries_subscription_fkey');
    t.uuid('message_id').notNullable().comment('the webhook-id header: the same on every try and on a replay, so a receiver can deduplicate');
    t.text('event_type').notNullable().comment('a domain event type, or webhook.verification for the handshake');
    t.uuid('event_id').comment('the domain event it carries (null for a verification)');
    t.text('order_id');
    t.jsonb('payload').notNullable().comment('the body\'s data as delivered (no payment token); a verification\'s challenge');
    t.text('status').notNullable();
    t.integer('attempts').notNullable().defaultTo(0).comment('tries so far, counted when a try starts');
    t.timestamp('next_attempt_at', { useTz: true }).comment('PENDING: when the worker may try (again); null once final');
    t.integer('last_status_code');
    t.text('last_error').comment('the last failed try\'s error (URLs left out)');
    t.uuid('replay_of').comment('the delivery this one replays');
    t.timestamp('delivered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.check(`?? in ('PENDING', 'DELIVERED', 'FAILED')`, ['status'], 'webhook_deliveries_status_valid');
    t.check(`(?? = 'PENDING') = (?? is not null)`, ['status', 'next_attempt_at'], 'webhook_deliveries_pending_due');
  });
  // One delivery per subscription and event however often the event is consumed (replays are extra rows).
  await knex.raw('create unique index webhook_deliveries_event_key on ??.webhook_deliveries (subscription_id, event_id) where replay_of is null and event_id is not null', [S]);
  await knex.raw(`create index webhook_deliveries_due_idx on ??.webhook_deliveries (next_attempt_at) where status = 'PENDING'`, [S]);
  await knex.raw('create index webhook_deliveries_subscription_idx on ??.webhook_deliveries (subscription_id, created_at desc, id desc)', [S]);
  await knex.raw(`comment on table ??.webhook_deliveries is 'Each event (or verification) to deliver to a subscription: its queue entry until DELIVERED or FAILED.'`, [S]);

  await knex.schema.withSchema(S).createTable('webhook_delivery_attempts', (t) => {
    t.bigIncrements('id').primary({ constraintName: 'webhook_delivery_attempts_pkey' });
    t.uuid('delivery_id').notNullable().references('id').inTable(`${S}.webhook_deliveries`).onDelete('CASCADE').withKeyName('webhook_delivery_attempts_delivery_fkey');
    t.integer('attempt').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.integer('duration_ms').notNullable();
    t.integer('status_code').comment('the endpoint\'s HTTP status; null when it could not be reached');
    t.text('error').comment('why the try failed (URLs left out); null for a success');
  });
  await knex.raw('create index webhook_delivery_attempts_delivery_idx on ??.webhook_delivery_attempts (delivery_id, attempt)', [S]);
  await knex.raw(`comment on table ??.webhook_delivery_attempts is 'One row per try of a webhook delivery: the delivery log.'`, [S]);
}

/** Drops the subscriptions, their deliveries and the delivery log. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('webhook_delivery_attempts');
  await knex.schema.withSchema(S).dropTableIfExists('webhook_deliveries');
  await knex.schema.withSchema(S).dropTableIfExists('webhook_subscriptions');
}
