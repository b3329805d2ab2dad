import type { Knex } from 'knex';
import { EVENT_CATALOGUE, type EventType } from '../../domain/events';
import { stateless, type HandlerMap } from '../../kafka/consumer';
import { recordEvents } from './store';

/**
 * The order-history projection's reactions: every event of every topic adds its fact to its order's row.
 * One idempotent statement each, without a transaction or a processed-events row: the row is a union of
 * facts keyed by event id, so a redelivery or a copy adds nothing.
 */
export function orderHistoryHandlers({ db }: { db: Knex }): HandlerMap {
  const record = stateless(async ({ event }) => {
    await recordEvents(db, [event]);
  });
  return Object.fromEntries((Object.keys(EVENT_CATALOGUE) as EventType[]).map((type) => [type, record])) as HandlerMap;
}
