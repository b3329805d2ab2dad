import type { Knex } from 'knex';

const S = 'support';

/** Support: which dead letters were replayed, so a letter is re-published at most once. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists ??', [S]);
  await knex.schema.withSchema(S).createTable('dlq_replays', (t) => {
    t.text('consumer_group').notNullable().comment('the consumer group whose dead-letter topic (<group>.dlq) held the letter');
    t.integer('dlq_partition').notNullable().comment('partition of the letter in the dead-letter topic');
    t.bigInteger('dlq_offset').notNullable().comment('offset of the letter in the dead-letter topic');
    t.text('event_id').comment('the envelope id (or ce_id header) of the replayed message; null when it had none (unparseable poison)');
    t.text('original_topic').notNullable().comment('the topic the letter was re-published to, the one it first failed on');
    t.timestamp('replayed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now()).comment('when it was re-published');
    t.text('replayed_by').notNullable().comment('who replayed it: the operator running the CLI (user@host)');
    t.primary(['consumer_group', 'dlq_partition', 'dlq_offset'], { constraintName: 'dlq_replays_pkey' });
    t.check('?? >= 0', ['dlq_partition'], 'dlq_replays_partition_not_negative');
    t.check('?? >= 0', ['dlq_offset'], 'dlq_replays_offset_not_negative');
    t.check('char_length(??) between 1 and 249', ['consumer_group'], 'dlq_replays_group_length');
  });
  await knex.raw(
    `comment on table ??.dlq_replays is 'Dead letters re-published by petstore events dlq replay, one row per letter (group, partition, offset of the dead-letter topic); written before the letter is sent, in one transaction, so a letter is replayed once.'`,
    [S],
  );
}

/** Drops the replay record, and the support schema when nothing else lives in it. */
export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema(S).dropTableIfExists('dlq_replays');
  // Without cascade: the drop fails rather than take along anything a later migration put there.
  await knex.raw('drop schema if exists ??', [S]);
}
