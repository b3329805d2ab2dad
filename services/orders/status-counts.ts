import type { Knex } from 'knex';
import { ORDER_STATUS, type OrderStatus } from '../../domain/orders';

/** How long a scrape's count may run before Postgres cancels it: a metric must never load the database. */
const COUNT_TIMEOUT_MS = 2000;

/**
 * How many orders are in each status, every status present (0 included, so alerts on a status see it
 * drop to zero). One grouped count over orders_status_idx (an index-only scan), for scrape time only.
 */
export async function countOrdersByStatus(db: Knex): Promise<Record<OrderStatus, number>> {
  const rows = (await db
    .withSchema('orders')
    .table('orders')
    .select('status')
    .count({ n: '*' })
    .groupBy('status')
    .timeout(COUNT_TIMEOUT_MS, { cancel: true })) as { status: OrderStatus; n: string | number }[];
  const counts = Object.fromEntries(Object.values(ORDER_STATUS).map((status) => [status, 0])) as Record<OrderStatus, number>;
  for (const row of rows) counts[row.status] = Number(row.n);
  return counts;
}
