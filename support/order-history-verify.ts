// What `petstore events rebuild order-history --verify` checks: the rebuilt projection against the live
// one (at the swap, under its lock) and against each service's own tables.
import type { Knex } from 'knex';
import { deriveHistory, type HistoryFacts, type OrderHistory } from '../domain/order-history';
import type { HistoryRow } from '../services/order-history/store';

/** One difference found, in words, with the order it concerns. */
export interface Difference {
  orderId: string;
  /** Where the other side comes from: the live projection, or a service's table. */
  against: 'live' | 'orders' | 'payments' | 'inventory' | 'notifications';
  detail: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Rebuilt rows against live rows, fact by fact. `late` are events at or after the rebuild's start marks,
 * which the live consumer may not have reached: they are not asked of it. Everything else the rebuild
 * read must be in the live projection as it is, and the live projection must hold nothing else.
 */
export function compareProjections({ rebuilt, live, late }: { rebuilt: ReadonlyMap<string, HistoryRow>; live: ReadonlyMap<string, HistoryRow>; late: ReadonlySet<string> }): Difference[] {
  const differences: Difference[] = [];
  const diff = (orderId: string, detail: string) => differences.push({ orderId, against: 'live', detail });
  for (const orderId of [...new Set([...rebuilt.keys(), ...live.keys()])].sort()) {
    const r: HistoryFacts = rebuilt.get(orderId)?.facts ?? {};
    const l: HistoryFacts = live.get(orderId)?.facts ?? {};
    const expected = Object.keys(r).filter((id) => !late.has(id));
    if (!live.has(orderId) && expected.length > 0) {
      diff(orderId, `missing from the live projection (${expected.length} event(s) on the topics)`);
      continue;
    }
    for (const id of expected) {
      if (!(id in l)) diff(orderId, `live projection lacks event ${id} (${r[id]!.type})`);
      else if (!same(l[id], r[id])) diff(orderId, `event ${id} (${r[id]!.type}) differs: live ${JSON.stringify(l[id])}, topics ${JSON.stringify(r[id])}`);
    }
    for (const id of Object.keys(l)) if (!(id in r)) diff(orderId, `live projection has event ${id} (${l[id]!.type}) that no topic carries`);
    const liveUser = live.get(orderId)?.userId ?? null;
    const rebuiltUser = rebuilt.get(orderId)?.userId ?? null;
    if (live.has(orderId) && rebuilt.has(orderId) && liveUser !== rebuiltUser) diff(orderId, `customer differs: live ${liveUser}, topics ${rebuiltUser}`);
  }
  return differences;
}

/** What the services' own tables say about the orders, read once. */
export interface ServiceFacts {
  orders: Map<string, { userId: string; status: string; cancelReason: string | null; totalCents: number | null; currency: string | null }>;
  payments: Map<string, { paymentId: string; status: string; amountCents: number | null; refundedCents: number }>;
  refunds: Map<string, { refundId: string; amountCents: number }[]>;
  /** Orders whose reservation Inventory released on a cancel. */
  released: Set<string>;
  /** Refunds Inventory restocked units for. */
  restockedRefunds: Set<string>;
  /** The notifications Notification recorded, as `<event id>:<kind>` by order. */
  notifications: Map<string, Set<string>>;
}

const groupBy = <T>(rows: T[], keyOf: (row: T) => string) => {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(keyOf(row), [...(map.get(keyOf(row)) ?? []), row]);
  return map;
};

/** Reads the services' tables verify compares the projection with (support's read-only view of them). */
export async function readServiceFacts(db: Knex): Promise<ServiceFacts> {
  const [orders, payments, refunds, released, restocks, notifications] = await Promise.all([
    db.raw('select id::text, user_id, status, cancel_reason, total_cents, currency from orders.orders'),
    db.raw('select id::text, order_id::text, status, amount_cents, refunded_cents from payments.payments'),
    db.raw('select r.id::text, p.order_id::text, r.amount_cents from payments.refunds r join payments.payments p on p.id = r.payment_id'),
    db.raw(`select order_id::text from inventory.reservations where status = 'RELEASED'`),
    db.raw('select distinct refund_id::text from inventory.refund_restocks'),
    db.raw('select distinct order_id::text, event_id::text, kind from notifications.notifications where order_id is not null'),
  ]);
  type Rows<T> = { rows: T[] };
  const n = (v: string | number | null) => (v === null ? null : Number(v));
  return {
    orders: new Map(
      (orders as Rows<{ id: string; user_id: string; status: string; cancel_reason: string | null; total_cents: string | null; currency: string | null }>).rows.map((o) => [
        o.id,
        { userId: o.user_id, status: o.status, cancelReason: o.cancel_reason, totalCents: n(o.total_cents), currency: o.currency },
      ]),
    ),
    payments: new Map(
      (payments as Rows<{ id: string; order_id: string; status: string; amount_cents: string | null; refunded_cents: string }>).rows.map((p) => [
        p.order_id,
        { paymentId: p.id, status: p.status, amountCents: n(p.amount_cents), refundedCents: Number(p.refunded_cents) },
      ]),
    ),
    refunds: new Map(
      [...groupBy((refunds as Rows<{ id: string; order_id: string; amount_cents: string }>).rows, (r) => r.order_id)].map(([orderId, rows]) => [
        orderId,
        rows.map((r) => ({ refundId: r.id, amountCents: Number(r.amount_cents) })),
      ]),
    ),
    released: new Set((released as Rows<{ order_id: string }>).rows.map((r) => r.order_id)),
    restockedRefunds: new Set((restocks as Rows<{ refund_id: string }>).rows.map((r) => r.refund_id)),
    notifications: new Map(
      [...groupBy((notifications as Rows<{ order_id: string; event_id: string; kind: string }>).rows, (r) => r.order_id)].map(([orderId, rows]) => [
        orderId,
        new Set(rows.map((r) => `${r.event_id}:${r.kind}`)),
      ]),
    ),
  };
}

/** What Payment's status says the events must show: captured (and how much refunded) or not. */
const CAPTURED = new Set(['SUCCEEDED', 'PARTIALLY_REFUNDED', 'REFUNDED']);

/** One order's history against the services' tables. */
export function compareWithServices(history: OrderHistory | undefined, orderId: string, facts: ServiceFacts): Difference[] {
  const differences: Difference[] = [];
  const diff = (against: Difference['against'], detail: string) => differences.push({ orderId, against, detail });
  const order = facts.orders.get(orderId);
  if (!history) {
    if (order) diff('orders', `orders.orders has the order (${order.status}) but the projection has no event of it`);
    return differences;
  }
  if (!order) {
    diff('orders', `the projection has ${history.events.length} event(s) of an order orders.orders does not have`);
    return differences;
  }
  if (history.userId !== order.userId) diff('orders', `customer: projection ${history.userId}, orders.orders ${order.userId}`);
  if (history.status !== order.status) diff('orders', `status: projection ${history.status}, orders.orders ${order.status}`);
  if (history.cancelReason !== order.cancelReason) diff('orders', `cancel reason: projection ${history.cancelReason}, orders.orders ${order.cancelReason}`);
  if (order.totalCents !== null && (history.totalCents !== order.totalCents || history.currency !== order.currency)) {
    diff('orders', `total: projection ${history.totalCents} ${history.currency}, orders.orders ${order.totalCents} ${order.currency}`);
  }

  const payment = facts.payments.get(orderId);
  const captured = payment !== undefined && CAPTURED.has(payment.status);
  const outcome = history.payment.outcome;
  if (captured && outcome !== 'SUCCEEDED') diff('payments', `payment ${payment.paymentId} is ${payment.status} but the projection's outcome is ${outcome}`);
  if (!captured && outcome === 'SUCCEEDED') diff('payments', `the projection saw a payment succeed but payments.payments says ${payment?.status ?? 'no payment'}`);
  // Payment voids a payment still pending when the order is cancelled (FAILED in its books, no event of its own): the cancel is the event that says so.
  const voided = history.status === 'CANCELLED' && outcome === null;
  if (payment?.status === 'FAILED' && outcome !== 'FAILED' && !voided) diff('payments', `payment ${payment.paymentId} FAILED but the projection's outcome is ${outcome}`);
  const succeeded = history.payment.attempts.find((a) => a.outcome === 'SUCCEEDED');
  if (captured && succeeded && succeeded.amountCents !== payment.amountCents) diff('payments', `amount: projection ${succeeded.amountCents}, payments.payments ${payment.amountCents}`);

  const refunds = (facts.refunds.get(orderId) ?? []).map((r) => `${r.refundId}:${r.amountCents}`).sort();
  const projected = history.refunds.map((r) => `${r.refundId}:${r.amountCents}`).sort();
  if (!same(refunds, projected)) diff('payments', `refunds: projection [${projected.join(', ')}], payments.refunds [${refunds.join(', ')}]`);
  const refundedCents = history.refunds.reduce((sum, r) => sum + r.amountCents, 0);
  if (payment && refundedCents !== payment.refundedCents) diff('payments', `refunded: projection ${refundedCents}, payments.payments ${payment.refundedCents}`);

  const released = history.events.some((e) => e.type === 'InventoryReleased') && history.restocks.some((r) => r.cause === 'cancellation');
  if (released !== facts.released.has(orderId)) diff('inventory', `cancel restock: projection ${released ? 'restocked' : 'none'}, inventory.reservations ${facts.released.has(orderId) ? 'RELEASED' : 'not released'}`);
  for (const r of history.restocks.filter((x) => x.cause === 'refund' && x.refundId)) {
    // Inventory restocks a refund's lines only while the reservation holds them (not after a cancel released it all).
    if (!facts.restockedRefunds.has(r.refundId!) && !facts.released.has(orderId)) diff('inventory', `refund ${r.refundId} asked for a restock that inventory.refund_restocks does not have`);
  }

  const sent = facts.notifications.get(orderId) ?? new Set<string>();
  const asked = new Set(history.notifications.map((x) => `${x.eventId}:${x.kind}`));
  for (const x of asked) if (!sent.has(x)) diff('notifications', `notification ${x} was asked for but notifications.notifications has none`);
  for (const x of sent) if (!asked.has(x)) diff('notifications', `notifications.notifications has ${x} that no event asked for`);
  return differences;
}

/** Every order of the live projection and of the services' tables, compared. */
export async function verifyAgainstServices(db: Knex, rows: ReadonlyMap<string, HistoryRow>): Promise<Difference[]> {
  const facts = await readServiceFacts(db);
  const ids = [...new Set([...rows.keys(), ...facts.orders.keys()])].sort();
  return ids.flatMap((orderId) => {
    const row = rows.get(orderId);
    return compareWithServices(row && deriveHistory(orderId, row.userId, row.facts), orderId, facts);
  });
}
