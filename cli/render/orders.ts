import { pc } from '../output';
import type { OrderView } from '../../api/ports';
import { ORDER_STATUS, type OrderStatus } from '../../domain/orders';
import { table } from '../output';
import { details, money, orDash, time } from './format';

/** An order as the API answers it: the view plus where to follow it. */
export type OrderWithLinks = OrderView & { links: { self: string; temporal?: string } };

/** The status, coloured by outcome, with the cancel reason when there is one. */
export function orderStatus(order: { status: OrderStatus; cancelReason: string | null }): string {
  if (order.status === ORDER_STATUS.CONFIRMED) return pc.green(order.status);
  if (order.status === ORDER_STATUS.CANCELLED) return pc.red(order.cancelReason ? `${order.status} (${order.cancelReason})` : order.status);
  return pc.yellow(order.status);
}

/** One order for humans: its fields, its items and its saga in the Temporal UI. */
export function orderDetails(order: OrderWithLinks, now: Date): string {
  const summary = details([
    ['order', order.id],
    ['customer', order.userId],
    ['status', orderStatus(order)],
    ...(order.compensation ? [['compensation', order.compensation] as [string, string]] : []),
    ['total', money(order.totalCents, order.currency)],
    ['payment', orDash(order.paymentId)],
    ['created', time(order.createdAt, now)],
    ['updated', time(order.updatedAt, now)],
    ['Temporal UI', orDash(order.links.temporal ?? null)],
  ]);
  const items = table(
    ['pet', 'qty', 'unit price', 'line total'],
    order.items.map((item) => [
      item.petId,
      item.quantity,
      money(item.unitPriceCents, order.currency),
      item.unitPriceCents === null ? '-' : money(item.unitPriceCents * item.quantity, order.currency),
    ]),
  );
  return `${summary}\n\n${items}`;
}

/** Orders as a table, one line each, with their Temporal UI links. */
export function ordersTable(orders: OrderWithLinks[], now: Date): string {
  if (orders.length === 0) return 'no orders';
  return table(
    ['order', 'customer', 'status', 'items', 'total', 'created', 'Temporal UI'],
    orders.map((o) => [o.id, o.userId, orderStatus(o), o.items.reduce((n, i) => n + i.quantity, 0), money(o.totalCents, o.currency), time(o.createdAt, now), o.links.temporal ?? '-']),
  );
}
