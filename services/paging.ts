import type { Knex } from 'knex';
import { UnprocessableError } from '../lib/errors';

/** A keyset cursor: the (created_at, id) of the last row of the previous page, opaque to clients. */
export function encodeCursor(createdAt: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([new Date(createdAt).toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return [value[0], value[1]];
    }
  } catch {
    // reported below
  }
  throw new UnprocessableError('the cursor is not one this API returned');
}

/** Applies keyset paging on (created_at, id) in the given direction; fetches one extra row to know if there is a next page. */
export function pageQuery(query: Knex.QueryBuilder, { limit, cursor, direction }: { limit: number; cursor?: string; direction: 'asc' | 'desc' }, table = ''): Knex.QueryBuilder {
  const col = (name: string) => (table ? `${table}.${name}` : name);
  if (cursor) {
    const [createdAt, id] = decodeCursor(cursor);
    query.whereRaw(`(??, ??) ${direction === 'asc' ? '>' : '<'} (?, ?)`, [col('created_at'), col('id'), createdAt, id]);
  }
  return query.orderBy([{ column: col('created_at'), order: direction }, { column: col('id'), order: direction }]).limit(limit + 1);
}

/** Turns the limit+1 rows of pageQuery into a page. */
export function toPage<R extends { created_at: Date; id: string }, T>(rows: R[], limit: number, map: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null };
}
