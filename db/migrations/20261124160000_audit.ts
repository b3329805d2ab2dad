import type { Knex } from 'knex';

const S = 'audit';

// The action names as they stood when this migration landed; a new action needs a new migration
// that replaces the check, never an edit here.
const ACTIONS = ['force-cancel', 'renotify', 'refund', 'retry-payment'];

/** Audit: every support action (force-cancel, renotify, refund, retry-payment), who did it, when and why. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('support_actions', (t) => {
    t.uuid('id').primary({ constraintName: 'support_actions_pkey' });
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).comment('when the action was taken (its transaction\'s time)');
    t.text('actor').notNullable().comment('who: the token\'s subject, or its role when the token names no user');
    t.text('action').notNullable().comment('what: force-cancel, renotify, refund or retry-payment');
    t.uuid('order_id').notNullable().comment('the order acted on (a refund\'s is its payment\'s order)');
    t.uuid('payment_id').comment('the payment acted on, for refunds and payment retries');
    t.text('reason').comment('why, in support\'s words; optional except for refunds');
    t.jsonb('details').notNullable().defaultTo('{}').comment('what else is worth knowing (amounts, statuses, event ids); never secrets');
    t.check(`?? in (${ACTIONS.map((a) => `'${a}'`).join(', ')})`, ['action'], 'support_actions_action_valid');
    t.check('char_length(??) between 1 and 500', ['reason'], 'support_actions_reason_length');
    t.check(`jsonb_typeof(??) = 'object'`, ['details'], 'support_actions_details_object');
  });
  // GET /orders/:orderId/audit reads one order's actions oldest first.
  await knex.raw('create index support_actions_order_idx on ??.support_actions (order_id, at, id)', [S]);
  await knex.raw(
    `comment on table ??.support_actions is 'Support actions on orders and payments, append-only; written in the same transaction as the state change where the action has one.'`,
    [S],
  );
}

/** Drops the audit table and its schema. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('support_actions');
  await knex.raw('drop schema if exists ??', [S]);
}
