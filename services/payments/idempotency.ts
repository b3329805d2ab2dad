import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { UnprocessableError } from '../../lib/errors';

const S = 'payments';

/** A claimed Idempotency-Key: what the first request with it answered. */
export interface IdempotencyRow {
  scope: string;
  key: string;
  request_hash: string;
  payment_id: string | null;
  refund_id: string | null;
}

/** The hash a request's body is compared by: the same key with another hash is another request. */
export const requestHash = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

/**
 * Claims an Idempotency-Key in the caller's transaction. The first request gets `undefined` and does its
 * work; a concurrent request with the same key waits on the claim's row until that one commits, then gets
 * the claim (to replay its answer); a failure or a crash rolls the claim back with everything else, so a
 * key never stays stuck in flight. The same key with another request body is an UnprocessableError.
 */
export async function claimIdempotencyKey(trx: Knex.Transaction, { scope, key, hash }: { scope: string; key: string; hash: string }): Promise<IdempotencyRow | undefined> {
  const claimed = await trx
    .withSchema(S)
    .table('idempotency_keys')
    .insert({ scope, key, request_hash: hash, state: 'DONE' })
    .onConflict(['scope', 'key'])
    .ignore()
    .returning('key');
  if (claimed.length > 0) return undefined;
  const seen = (await trx.withSchema(S).table('idempotency_keys').where({ scope, key }).first()) as IdempotencyRow;
  if (seen.request_hash !== hash) throw new UnprocessableError('this Idempotency-Key was already used with a different request');
  return seen;
}

/** Records what a claimed key answered with. */
export async function settleIdempotencyKey(trx: Knex.Transaction, { scope, key }: { scope: string; key: string }, answer: { payment_id?: string; refund_id?: string }): Promise<void> {
  await trx.withSchema(S).table('idempotency_keys').where({ scope, key }).update(answer);
}
