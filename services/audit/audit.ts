import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { AuditEntry, AuditInput, AuditPort } from '../../api/ports';
import type { SupportAction } from '../../domain/audit';
import { isUuid } from '../../lib/ids';

const S = 'audit';

interface SupportActionRow {
  id: string;
  at: Date;
  actor: string;
  action: SupportAction;
  order_id: string;
  payment_id: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

const toEntry = (row: SupportActionRow): AuditEntry => ({
  id: row.id,
  at: row.at.toISOString(),
  actor: row.actor,
  action: row.action,
  orderId: row.order_id,
  paymentId: row.payment_id,
  reason: row.reason,
  details: row.details,
});

/**
 * Records one support action with the caller's connection: pass the transaction of the action's
 * state change, so the action and its audit entry commit (or roll back) together.
 */
export async function recordSupportAction(trx: Knex | Knex.Transaction, input: AuditInput): Promise<AuditEntry> {
  const [row] = (await trx
    .withSchema(S)
    .table('support_actions')
    .insert({
      id: randomUUID(),
      actor: input.actor,
      action: input.action,
      order_id: input.orderId,
      payment_id: input.paymentId ?? null,
      reason: input.reason ?? null,
      details: JSON.stringify(input.details ?? {}),
    })
    .returning('*')) as SupportActionRow[];
  return toEntry(row!);
}

/** The audit of support actions: record one, list an order's. */
export function createAuditRepository(db: Knex): AuditPort {
  return {
    record: (input) => recordSupportAction(db, input),
    async listByOrder(orderId) {
      if (!isUuid(orderId)) return [];
      const rows = (await db.withSchema(S).table('support_actions').where({ order_id: orderId }).orderBy([{ column: 'at' }, { column: 'id' }])) as SupportActionRow[];
      return rows.map(toEntry);
    },
  };
}
