import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import { deriveHistory, factOf, mergeFacts, userOf, type HistoryFacts, type OrderHistory } from '../../domain/order-history';

// Every statement on the order_history schema: the projection's only writer and reader, so its grants
// fit in one place.

/** The projection's schema. */
export const HISTORY_SCHEMA = 'order_history';
/** The table the live consumer maintains and the API reads. */
export const LIVE_TABLE = 'histories';
/** Where a rebuild folds the topics before it is swapped in. */
export const REBUILD_TABLE = 'histories_rebuild';
const PREVIOUS_TABLE = 'histories_previous';

/** One order's row: the customer and the facts by event id. */
export interface HistoryRow {
  orderId: string;
  userId: string | null;
  facts: HistoryFacts;
}

/** The rows the events make, one per order (a statement may not touch a row twice). */
function rowsOf(events: readonly EventEnvelope[]): HistoryRow[] {
  const rows = new Map<string, HistoryRow>();
  for (const event of events) {
    const row = rows.get(event.orderId) ?? { orderId: event.orderId, userId: null, facts: {} };
    row.userId ??= userOf(event);
    row.facts = mergeFacts(row.facts, { [event.id]: factOf(event) });
    rows.set(event.orderId, row);
  }
  // In order id order: concurrent statements lock shared rows in the same order, so they never deadlock.
  return [...rows.values()].sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0));
}

/**
 * Adds the events' facts to their orders' rows in one statement. The facts merge as a JSON union keyed
 * by event id (the stored copy wins), so a redelivered or copied event changes nothing and events may
 * come in any order. Returns the rows touched.
 */
export async function recordEvents(db: Knex | Knex.Transaction, events: readonly EventEnvelope[], table: string = LIVE_TABLE): Promise<number> {
  const rows = rowsOf(events);
  if (rows.length === 0) return 0;
  const values = rows.map(() => '(?, ?, ?::jsonb, now())').join(', ');
  await db.raw(
    `insert into ??.?? as h (order_id, user_id, facts, updated_at) values ${values}
     on conflict (order_id) do update set facts = excluded.facts || h.facts, user_id = coalesce(h.user_id, excluded.user_id), updated_at = now()`,
    [HISTORY_SCHEMA, table, ...rows.flatMap((r) => [r.orderId, r.userId, JSON.stringify(r.facts)])],
  );
  return rows.length;
}

interface StoredRow {
  order_id: string;
  user_id: string | null;
  facts: HistoryFacts;
}
const toRow = (r: StoredRow): HistoryRow => ({ orderId: r.order_id, userId: r.user_id, facts: r.facts });

/** One order's history, or undefined when the projection has seen no event of it. */
export async function findHistory(db: Knex, orderId: string): Promise<OrderHistory | undefined> {
  const row = (await db.withSchema(HISTORY_SCHEMA).table(LIVE_TABLE).where({ order_id: orderId }).first('order_id', 'user_id', 'facts')) as StoredRow | undefined;
  return row && deriveHistory(row.order_id, row.user_id, row.facts);
}

/** Every row of a projection table, by order id (verify compares whole tables). */
export async function readRows(db: Knex | Knex.Transaction, table: string = LIVE_TABLE): Promise<Map<string, HistoryRow>> {
  const rows = (await db.withSchema(HISTORY_SCHEMA).table(table).select('order_id', 'user_id', 'facts')) as StoredRow[];
  return new Map(rows.map((r) => [r.order_id, toRow(r)]));
}

/** How many orders a projection table holds. */
export async function countRows(db: Knex, table: string = LIVE_TABLE): Promise<number> {
  const [row] = (await db.withSchema(HISTORY_SCHEMA).table(table).count({ n: '*' })) as { n: string | number }[];
  return Number(row?.n ?? 0);
}

/** An empty rebuild table shaped like the live one (a left-over of an interrupted rebuild is dropped). */
export async function freshRebuildTable(db: Knex): Promise<void> {
  await db.raw('drop table if exists ??.??', [HISTORY_SCHEMA, REBUILD_TABLE]);
  await db.raw('create table ??.?? (like ??.?? including all)', [HISTORY_SCHEMA, REBUILD_TABLE, HISTORY_SCHEMA, LIVE_TABLE]);
}

/** Drops the rebuild table (a rebuild that failed leaves the live table as it was). */
export async function dropRebuildTable(db: Knex): Promise<void> {
  await db.raw('drop table if exists ??.??', [HISTORY_SCHEMA, REBUILD_TABLE]);
}

/**
 * Holds the live table against every writer until the transaction ends: the live consumer's next
 * statement waits, and after the swap finds the table's new occupant by name.
 */
export async function lockLiveTable(trx: Knex.Transaction): Promise<void> {
  await trx.raw('lock table ??.?? in access exclusive mode', [HISTORY_SCHEMA, LIVE_TABLE]);
}

/** In the locking transaction: the rebuild table becomes the live one, under the live one's index names. */
export async function swapInRebuild(trx: Knex.Transaction): Promise<void> {
  const indexes = (await trx.raw(`select indexname from pg_indexes where schemaname = ? and tablename = ?`, [HISTORY_SCHEMA, REBUILD_TABLE])) as { rows: { indexname: string }[] };
  await trx.raw('alter table ??.?? rename to ??', [HISTORY_SCHEMA, LIVE_TABLE, PREVIOUS_TABLE]);
  await trx.raw('alter table ??.?? rename to ??', [HISTORY_SCHEMA, REBUILD_TABLE, LIVE_TABLE]);
  await trx.raw('drop table ??.??', [HISTORY_SCHEMA, PREVIOUS_TABLE]);
  // LIKE named them after the rebuild table; the live table's own names are free again now.
  for (const { indexname } of indexes.rows) {
    const name = indexname.replace(REBUILD_TABLE, LIVE_TABLE);
    if (name !== indexname) await trx.raw('alter index ??.?? rename to ??', [HISTORY_SCHEMA, indexname, name]);
  }
}
