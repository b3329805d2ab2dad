import type { Knex } from 'knex';

const OUTBOX_SCHEMAS = ['inventory', 'orders', 'payments', 'notifications'] as const;

/**
 * Payment tokens rest sealed for Payment (lib/payment-token.ts) and published outbox rows are pruned:
 * an index to find sent rows by age; what rows written before sealing held in clear is removed where
 * nobody needs it any more (published OrderPlaced rows, the simulated processor's books), and Payment
 * seals its own rows when it starts (it holds the keys; a migration does not).
 */
export async function up(knex: Knex): Promise<void> {
  for (const schema of OUTBOX_SCHEMAS) {
    await knex.raw('create index if not exists outbox_sent_at_idx on ??.outbox (sent_at) where sent_at is not null', [schema]);
  }
  await knex.raw(
    `update orders.outbox set envelope = jsonb_set(envelope, '{data,paymentToken}', '"[removed]"')
      where type = 'OrderPlaced' and sent_at is not null and envelope->'data'->>'paymentToken' not like 'ptk1.%'`,
  );
  // The processor's books keep the token's kind only (a test token's name, else its prefix), as the API's audit does.
  await knex.raw(
    `update gateway.charges set token = case when token in ('tok_ok', 'tok_declined', 'tok_pending', 'tok_flaky') then token
       else coalesce(substring(token from '^([a-z]{1,10})_'), 'opaque') end
      where token !~ '^([a-z]{1,10}|opaque)$' and token not in ('tok_ok', 'tok_declined', 'tok_pending', 'tok_flaky')`,
  );
  await knex.raw(`update gateway.charges set message = 'unknown test token' where message like 'unknown test token "%'`);
  await knex.raw(`comment on column payments.payments.payment_token is 'the gateway token of the latest attempt, sealed for Payment (ptk1.<key id>.<AES-256-GCM>, bound to the order); never card data'`);
  await knex.raw(`comment on column gateway.charges.token is 'the kind of payment method token (a test token''s name or the token''s prefix), never the token'`);
  await knex.raw(`comment on column orders.orders.request_hash is 'HMAC-SHA256 (REQUEST_HASH_KEY) of the placing request, to refuse an Idempotency-Key reused with another body'`);
  await knex.raw(`comment on column payments.idempotency_keys.request_hash is 'HMAC-SHA256 (REQUEST_HASH_KEY) of the paying request'`);
}

/** Drops the index and restores the comments; tokens removed or sealed stay so (nothing can put them back in clear, nor should). */
export async function down(knex: Knex): Promise<void> {
  for (const schema of OUTBOX_SCHEMAS) await knex.raw('drop index if exists ??.outbox_sent_at_idx', [schema]);
  await knex.raw(`comment on column payments.payments.payment_token is 'the gateway token of the latest attempt (a token, never card data)'`);
  await knex.raw(`comment on column gateway.charges.token is 'the payment method token (never card data)'`);
  await knex.raw(`comment on column orders.orders.request_hash is 'hash of the placing request, to refuse an Idempotency-Key reused with another body'`);
  await knex.raw(`comment on column payments.idempotency_keys.request_hash is null`);
}
