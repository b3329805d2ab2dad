// The books of a set of orders, read straight from every service's schema and the gateway's ledger.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { ORDER_STATUS } from '../domain/orders';

/** What the books say about a set of orders, once the events have settled. */
export interface Audit {
  orders: number;
  confirmed: number;
  cancelled: number;
  /** Orders not CONFIRMED or CANCELLED. */
  open: number;
  /** Units sold beyond a pet's stock, plus pets whose stock went below zero. */
  oversells: number;
  /** Orders with more than one captured charge at the gateway. */
  doubleCharges: number;
  /** Effects an event should have had and did not: unpublished outbox rows, missing restocks, refunds, notifications, orphan reservations. */
  lostEvents: number;
  /** Effects applied more than once: extra restocks, refunds or notifications. */
  duplicateEffects: number;
  /** A line per violation, for the failure message. */
  problems: string[];
}

const countBy = (rows: { key: string }[]) => rows.reduce((m, r) => m.set(r.key, (m.get(r.key) ?? 0) + 1), new Map<string, number>());

/**
 * Checks every promise on the books of all four services and the gateway: no oversell, stock
 * conserved (stock + units these orders confirmed = initial stock), one charge per paid order and
 * none kept for a cancelled one, one restock per cancelled reservation, one notification per
 * outcome, nothing left in an outbox. `pets` maps each pet the orders used to its stock before
 * them; only these orders may have touched them meanwhile. Used by the reliability suite after
 * every scenario and by `petstore bench --audit`.
 */
export async function auditOrders(db: Knex, orderIds: string[], pets: Map<string, number>): Promise<Audit> {
  const problems: string[] = [];
  const tally = { oversells: 0, lostEvents: 0, duplicateEffects: 0 };
  const flag = (kind: keyof typeof tally, n: number, problem: string) => {
    tally[kind] += n;
    problems.push(problem);
  };

  const orders: { id: string; status: string; cancel_reason: string | null }[] = await db.withSchema('orders').table('orders').whereIn('id', orderIds).select('id', 'status', 'cancel_reason');
  const confirmed = orders.filter((o) => o.status === ORDER_STATUS.CONFIRMED).map((o) => o.id);
  const cancelled = orders.filter((o) => o.status === ORDER_STATUS.CANCELLED).map((o) => o.id);
  const open = orderIds.length - confirmed.length - cancelled.length;
  if (open > 0) problems.push(`${open} order(s) not terminal (or never written)`);

  // Stock: never negative, never sold beyond it, and conserved.
  const petIds = [...pets.keys()];
  const stock: { id: string; stock: number }[] = await db.withSchema('inventory').table('pets').whereIn('id', petIds).select('id', 'stock');
  const sold: { pet_id: string; units: string }[] = await db
    .withSchema('orders')
    .table('order_items as i')
    .join('orders as o', 'o.id', 'i.order_id')
    .where('o.status', ORDER_STATUS.CONFIRMED)
    .whereIn('o.id', orderIds)
    .whereIn('i.pet_id', petIds)
    .groupBy('i.pet_id')
    .select('i.pet_id', db.raw('sum(i.quantity) as units'));
  const soldBy = new Map(sold.map((s) => [s.pet_id, Number(s.units)]));
  for (const { id, stock: now } of stock) {
    const initial = pets.get(id)!;
    const units = soldBy.get(id) ?? 0;
    if (now < 0) flag('oversells', 1, `pet ${id}: stock ${now}`);
    if (units > initial) flag('oversells', units - initial, `pet ${id}: ${units} sold of ${initial}`);
    const drift = now + units - initial;
    if (drift < 0) flag('lostEvents', -drift, `pet ${id}: ${-drift} unit(s) neither sold nor back in stock`);
    if (drift > 0) flag('duplicateEffects', drift, `pet ${id}: ${drift} unit(s) restocked twice`);
  }

  // Reservations: committed for confirmed orders, never left holding stock for a cancelled one.
  const reservations: { order_id: string; status: string }[] = await db.withSchema('inventory').table('reservations').whereIn('order_id', orderIds).select('order_id', 'status');
  const reservation = new Map(reservations.map((r) => [r.order_id, r.status]));
  for (const id of confirmed) if (reservation.get(id) !== 'COMMITTED') flag('lostEvents', 1, `confirmed order ${id}: reservation ${reservation.get(id) ?? 'missing'}`);
  for (const id of cancelled) {
    const status = reservation.get(id);
    if (status === 'RESERVED' || status === 'COMMITTED') flag('lostEvents', 1, `cancelled order ${id}: reservation still ${status} (orphan)`);
  }

  // Money, as the gateway's books have it.
  const charges: { key: string }[] = await db.withSchema('gateway').table('charges').whereIn('order_id', orderIds).where({ outcome: 'succeeded' }).select({ key: 'order_id' });
  const captured = countBy(charges);
  for (const [id, n] of captured) if (n > 1) problems.push(`order ${id}: ${n} charges captured`);
  const doubleCharges = [...captured.values()].filter((n) => n > 1).length;
  const payments: { order_id: string; status: string; gateway_ref: string | null }[] = await db
    .withSchema('payments')
    .table('payments')
    .whereIn('order_id', orderIds)
    .select('order_id', 'status', 'gateway_ref');
  const payment = new Map(payments.map((p) => [p.order_id, p]));
  const refunds: { key: string }[] = await db
    .withSchema('gateway')
    .table('refunds')
    .whereIn('charge_reference', payments.flatMap((p) => (p.gateway_ref ? [p.gateway_ref] : [])))
    .select({ key: 'charge_reference' });
  const refundsOf = countBy(refunds);
  for (const id of confirmed) {
    if (payment.get(id)?.status !== 'SUCCEEDED' || (captured.get(id) ?? 0) === 0) flag('lostEvents', 1, `confirmed order ${id}: payment ${payment.get(id)?.status ?? 'missing'}, ${captured.get(id) ?? 0} capture(s)`);
  }
  for (const id of cancelled) {
    if ((captured.get(id) ?? 0) === 0) continue;
    const n = refundsOf.get(payment.get(id)?.gateway_ref ?? '') ?? 0;
    if (n === 0) flag('lostEvents', 1, `cancelled order ${id}: captured and never refunded`);
    if (n > 1) flag('duplicateEffects', n - 1, `cancelled order ${id}: refunded ${n} times`);
  }

  // One notification per outcome.
  const notes: { key: string }[] = await db
    .withSchema('notifications')
    .table('notifications')
    .whereIn('order_id', orderIds)
    .whereIn('kind', ['order-confirmed', 'order-cancelled'])
    .where({ channel: 'log' }) // every customer has the log; webhook and email rows are extra channels, not duplicates
    .select({ key: db.raw("order_id || ':' || kind") });
  const notified = countBy(notes);
  for (const [ids, kind] of [[confirmed, 'order-confirmed'], [cancelled, 'order-cancelled']] as const) {
    for (const id of ids) {
      const n = notified.get(`${id}:${kind}`) ?? 0;
      if (n === 0) flag('lostEvents', 1, `order ${id}: no ${kind} notification`);
      if (n > 1) flag('duplicateEffects', n - 1, `order ${id}: ${n} ${kind} notifications`);
    }
  }

  // Nothing left behind in any outbox.
  for (const schema of ['orders', 'inventory', 'payments', 'notifications']) {
    const [{ n }] = await db.withSchema(schema).table('outbox').whereIn('key', orderIds).whereNull('sent_at').count({ n: '*' });
    if (Number(n) > 0) flag('lostEvents', Number(n), `${schema} outbox: ${n} event(s) never published`);
  }

  return { orders: orderIds.length, confirmed: confirmed.length, cancelled: cancelled.length, open, ...tally, doubleCharges, problems };
}

/** Audits until the books balance (the last effects are still travelling) or `timeoutMs` passes; returns the last audit. */
export async function settledAudit(db: Knex, orderIds: string[], pets: Map<string, number>, timeoutMs = 30_000): Promise<Audit> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const audit = await auditOrders(db, orderIds, pets);
    if (audit.problems.length === 0 || Date.now() > until) return audit;
    await sleep(500);
  }
}
