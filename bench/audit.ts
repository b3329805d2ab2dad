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

const countBy = (rows: { key: string }[]): Map<string, number> => rows.reduce((m, r) => m.set(r.key, (m.get(r.key) ?? 0) + 1), new Map<string, number>());

/**
 * Checks every promise on the books of all four services and the gateway: no oversell, stock
 * conserved (stock + units these orders confirmed − units their refunds restocked = initial stock), one
 * charge per paid order, refunds that add up to at most the capture (all of it for a cancelled order) and
 * agree with the payment's status, each refunded line restocked once when asked, one restock per
 * cancelled reservation, one notification per outcome, nothing left in an outbox. `pets` maps each pet the orders used to its stock before
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
  // Units a partial refund put back in stock from a confirmed order are neither sold nor lost.
  const restocked: { pet_id: string; units: string }[] = await db
    .withSchema('inventory')
    .table('refund_restocks')
    .whereIn('order_id', confirmed)
    .whereIn('pet_id', petIds)
    .groupBy('pet_id')
    .select('pet_id', db.raw('sum(quantity) as units'));
  const restockedBy = new Map(restocked.map((r) => [r.pet_id, Number(r.units)]));
  for (const { id, stock: now } of stock) {
    const initial = pets.get(id)!;
    const units = soldBy.get(id) ?? 0;
    const back = restockedBy.get(id) ?? 0;
    if (now < 0) flag('oversells', 1, `pet ${id}: stock ${now}`);
    if (units > initial) flag('oversells', units - initial, `pet ${id}: ${units} sold of ${initial}`);
    const drift = now + units - back - initial;
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
  const payments: { id: string; order_id: string; status: string; gateway_ref: string | null; amount_cents: string | null; refunded_cents: string }[] = await db
    .withSchema('payments')
    .table('payments')
    .whereIn('order_id', orderIds)
    .select('id', 'order_id', 'status', 'gateway_ref', 'amount_cents', 'refunded_cents');
  const payment = new Map(payments.map((p) => [p.order_id, p]));
  // Refunds as the gateway made them: several per charge with partial refunds, their sum never above the capture.
  const refunds: { charge_reference: string; n: string; cents: string }[] = await db
    .withSchema('gateway')
    .table('refunds')
    .whereIn('charge_reference', payments.flatMap((p) => (p.gateway_ref ? [p.gateway_ref] : [])))
    .groupBy('charge_reference')
    .select('charge_reference', db.raw('count(*) as n'), db.raw('sum(amount_cents) as cents'));
  const refundedAt = new Map(refunds.map((r) => [r.charge_reference, { n: Number(r.n), cents: Number(r.cents) }]));
  const refundOf = (orderId: string) => refundedAt.get(payment.get(orderId)?.gateway_ref ?? '') ?? { n: 0, cents: 0 };
  for (const id of [...confirmed, ...cancelled]) {
    const p = payment.get(id);
    if (!p || (captured.get(id) ?? 0) === 0) continue;
    const { cents } = refundOf(id);
    const amount = Number(p.amount_cents);
    if (cents > amount) flag('duplicateEffects', 1, `order ${id}: ${cents} cents refunded of ${amount} captured`);
    if (Number(p.refunded_cents) !== cents) flag('lostEvents', 1, `order ${id}: the payment says ${p.refunded_cents} cents refunded, the gateway ${cents}`);
  }
  for (const id of confirmed) {
    const p = payment.get(id);
    const { cents } = refundOf(id);
    // Support may have refunded part or all of a confirmed order; the status must say which.
    const expected = cents === 0 ? 'SUCCEEDED' : cents < Number(p?.amount_cents ?? 0) ? 'PARTIALLY_REFUNDED' : 'REFUNDED';
    if (p?.status !== expected || (captured.get(id) ?? 0) === 0) flag('lostEvents', 1, `confirmed order ${id}: payment ${p?.status ?? 'missing'} (expected ${expected}), ${captured.get(id) ?? 0} capture(s)`);
  }
  for (const id of cancelled) {
    if ((captured.get(id) ?? 0) === 0) continue;
    const { n, cents } = refundOf(id);
    const amount = Number(payment.get(id)?.amount_cents ?? 0);
    if (n === 0 || cents < amount) flag('lostEvents', 1, `cancelled order ${id}: captured ${amount} cents, ${cents} refunded`);
  }

  // Restocks of refunded lines: each line a refund asked to restock is back in stock, once, and no other.
  const asked: { order_id: string; lines: { petId: string; quantity: number }[] }[] = await db
    .withSchema('payments')
    .table('refunds as r')
    .join('payments as p', 'p.id', 'r.payment_id')
    .whereIn('p.order_id', confirmed)
    .where('r.restock', true)
    .select('p.order_id', 'r.lines');
  const askedUnits = new Map<string, number>();
  for (const { order_id, lines } of asked) for (const l of lines) askedUnits.set(`${order_id}:${l.petId}`, (askedUnits.get(`${order_id}:${l.petId}`) ?? 0) + l.quantity);
  const done: { key: string; units: string }[] = await db
    .withSchema('inventory')
    .table('refund_restocks')
    .whereIn('order_id', confirmed)
    .groupBy('order_id', 'pet_id')
    .select({ key: db.raw("order_id || ':' || pet_id") }, db.raw('sum(quantity) as units'));
  const doneUnits = new Map(done.map((d) => [d.key, Number(d.units)]));
  for (const key of new Set([...askedUnits.keys(), ...doneUnits.keys()])) {
    const want = askedUnits.get(key) ?? 0;
    const got = doneUnits.get(key) ?? 0;
    if (got < want) flag('lostEvents', want - got, `order:pet ${key}: ${want} refunded unit(s) to restock, ${got} restocked`);
    if (got > want) flag('duplicateEffects', got - want, `order:pet ${key}: ${got} unit(s) restocked for ${want} refunded`);
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
