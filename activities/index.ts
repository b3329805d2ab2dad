import type { Knex } from 'knex';
import type { KeyRing } from '../lib/keyring';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { createOrderActivities } from './orders';

export type { OrderActivities } from './orders';

/**
 * Every activity the worker registers. The saga's steps are the Order service's: Inventory and
 * Payment take part through events on Kafka, not through activities.
 */
export function createActivities(deps: { db: Knex; metrics?: Metrics; logger?: Logger; paymentTokenKeys: KeyRing }) {
  return { ...createOrderActivities(deps) };
}
