import type { Knex } from 'knex';
import { UnprocessableError } from '../lib/errors';
import { isUuid } from '../lib/ids';

/**
 * A keyset cursor: the (created_at, id) of the last row of the previous page, opaque to clients.
 * createdAt is the column's exact UTC text (microseconds, see pageQuery); a Date has milliseconds only.
 */
export function encodeCursor(createdAt: Date | string, id: string): string {
  return Buffer.from(JSON.stringify([typeof createdAt === 'string' ? createdAt : createdAt.toISOString(), id])).toString('base64url');
}

// The column's own precision, microseconds, as UTC ISO 8601: a cursor rounded to the millisecond would sort
// before its row, so the next page would start with that row again (and with every row of the same
// millisecond, such as a seeded catalogue written by one statement).
const CURSOR_INSTANT_SQL = `to_char(?? at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const CURSOR_INSTANT = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})?Z$/;

// Exactly what encodeCursor writes: anything looser reaches Postgres, which refuses a date Date.parse
// accepts ("1", year 0, February 30th) with an error, a 500 for what is the client's mistake.
function isCursorInstant(value: unknown): value is string {
  const millis = typeof value === 'string' ? CURSOR_INSTANT.exec(value)?.[1] : undefined;
  if (!millis || millis.startsWith('0000')) return false;
  const time = Date.parse(`${millis}Z`);
  return !Number.isNaN(time) && new Date(time).toISOString() === `${millis}Z`;
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && isCursorInstant(value[0]) && typeof value[1] === 'string' && isUuid(value[1])) {
      return [value[0], value[1]];
    }
  } catch {
    // reported below
  }
  throw new UnprocessableError('the cursor is not one this API returned');
}

/**
 * Applies keyset paging on (created_at, id) in the given direction; fetches one extra row to know if there
 * is a next page, and selects each row's exact created_at as `page_key_at` for toPage's cursor.
 */
export function pageQuery(query: Knex.QueryBuilder, { limit, cursor, direction }: { limit: number; cursor?: string; direction: 'asc' | 'desc' }, table = ''): Knex.QueryBuilder {
  const col = (name: string) => (table ? `${table}.${name}` : name);
  query.select(query.client.raw(`${CURSOR_INSTANT_SQL} as page_key_at`, [col('created_at')]));
  if (cursor) {
    const [createdAt, id] = decodeCursor(cursor);
    query.whereRaw(`(??, ??) ${direction === 'asc' ? '>' : '<'} (?, ?)`, [col('created_at'), col('id'), createdAt, id]);
  }
  return query.orderBy([{ column: col('created_at'), order: direction }, { column: col('id'), order: direction }]).limit(limit + 1);
}

/** Turns the limit+1 rows of pageQuery into a page. */
export function toPage<R extends { created_at: Date; id: string; page_key_at?: string }, T>(rows: R[], limit: number, map: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last.page_key_at ?? last.created_at, last.id) : null };
}
