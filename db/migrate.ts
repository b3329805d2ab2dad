import type { Knex } from 'knex';
import * as inventory from './migrations/20261124150000_inventory';
import * as orders from './migrations/20261124150100_orders';
import * as payments from './migrations/20261124150200_payments';
import * as notifications from './migrations/20261124150300_notifications';
import * as audit from './migrations/20261124160000_audit';
import * as dlqReplays from './migrations/20261124160100_dlq_replays';
import * as gatewayLedger from './migrations/20261124170000_gateway_ledger';
import * as heldUnits from './migrations/20261124170100_held_units';
import * as orderStatusNotify from './migrations/20261202050000_order_status_notify';
import * as notificationDelivery from './migrations/20261202050100_notification_delivery';
import * as edgeRateLimits from './migrations/20261202050200_edge_rate_limits';
import * as webhookSubscriptions from './migrations/20261202101000_webhook_subscriptions';
import * as partialRefunds from './migrations/20261202102000_partial_refunds';
import * as refundRestocks from './migrations/20261202102100_refund_restocks';
import * as sealedPaymentTokens from './migrations/20261202103000_sealed_payment_tokens';
import * as orderCompensation from './migrations/20261202104000_order_compensation';
import * as orderHistory from './migrations/20261202110000_order_history';

// Listed here rather than found on disk, so the same code migrates from ts sources (tests) and
// from dist/ (the CLI); knex keeps its bookkeeping in public.knex_migrations.
const MIGRATIONS: Record<string, Knex.Migration> = {
  '20261124150000_inventory': inventory,
  '20261124150100_orders': orders,
  '20261124150200_payments': payments,
  '20261124150300_notifications': notifications,
  '20261124160000_audit': audit,
  '20261124160100_dlq_replays': dlqReplays,
  '20261124170000_gateway_ledger': gatewayLedger,
  '20261124170100_held_units': heldUnits,
  '20261202050000_order_status_notify': orderStatusNotify,
  '20261202050100_notification_delivery': notificationDelivery,
  '20261202050200_edge_rate_limits': edgeRateLimits,
  '20261202101000_webhook_subscriptions': webhookSubscriptions,
  '20261202102000_partial_refunds': partialRefunds,
  '20261202102100_refund_restocks': refundRestocks,
  '20261202103000_sealed_payment_tokens': sealedPaymentTokens,
  '20261202104000_order_compensation': orderCompensation,
  '20261202110000_order_history': orderHistory,
};

const source: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(MIGRATIONS).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => MIGRATIONS[name]!,
};

/** Applies every migration not applied yet; safe to run from several processes (knex's lock). Returns their names. */
export async function migrateLatest(db: Knex): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]];
  return applied;
}

/** Rolls back every migration (tests use it to prove each `down` is real). */
export async function migrateDownAll(db: Knex): Promise<string[]> {
  const [, reverted] = (await db.migrate.rollback({ migrationSource: source }, true)) as [number, string[]];
  return reverted;
}

/** Names of the migrations applied so far. */
export async function appliedMigrations(db: Knex): Promise<string[]> {
  const [completed] = (await db.migrate.list({ migrationSource: source })) as [{ name: string }[], unknown];
  return completed.map((m) => m.name);
}
