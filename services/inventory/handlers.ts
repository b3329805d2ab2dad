import type { Knex } from 'knex';
import { CANCEL_REASON, type InventoryRejection, type PricedItem } from '../../domain/orders';
import { mergeItems, totalCents } from '../../domain/pricing';
import type { HandlerMap } from '../../kafka/consumer';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';

const S = 'inventory';
const SOURCE = 'inventory';

/** A reservation's life: RESERVED holds stock until the order is confirmed (COMMITTED) or cancelled (RELEASED). */
export const RESERVATION_STATUS = {
  RESERVED: 'RESERVED',
  REJECTED: 'REJECTED',
  COMMITTED: 'COMMITTED',
  RELEASED: 'RELEASED',
  /** The cancel came before the order was reserved: a late OrderPlaced must not reserve. */
  VOID: 'VOID',
} as const;

const lockReservation = (trx: Knex.Transaction, orderId: string) => trx.withSchema(S).table('reservations').where({ order_id: orderId }).forUpdate().first();

/** Units the customer holds in reservations not yet confirmed or released; the caller holds the customer's lock. */
async function unitsHeldBy(trx: Knex.Transaction, userId: string): Promise<number> {
  const [{ held }] = await trx
    .withSchema(S)
    .table('reservations as r')
    .join('reservation_items as i', 'i.order_id', 'r.order_id')
    .where({ 'r.user_id': userId, 'r.status': RESERVATION_STATUS.RESERVED })
    .sum({ held: 'i.quantity' });
  return Number(held ?? 0);
}

/** Pet Inventory's reactions to the orders topic; one customer holds at most `maxHeldUnits` units in open orders. */
export function inventoryHandlers({ maxHeldUnits }: { maxHeldUnits: number }): HandlerMap {
  return {
    /** Reserves every item at its current price, atomically and once per order, or rejects the whole order. */
    async OrderPlaced({ event, trx }) {
      const orderId = event.orderId;
      if (await lockReservation(trx, orderId)) return; // once per order, whatever the event id
      const items = mergeItems(event.data.items);
      const userId = event.data.userId;
      // One customer's orders reserve one at a time (this lock, then the pets': always in that order),
      // so the count of units they hold is exact even when they place many orders at once.
      await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`inventory.held:${userId}`]);
      // Lock the pets in id order: concurrent multi-item orders never deadlock.
      const pets: { id: string; stock: number; price_cents: number; currency: string }[] = await trx
        .withSchema(S)
        .table('pets')
        .whereIn('id', items.map((i) => i.petId))
        .whereNull('deleted_at')
        .orderBy('id')
        .forUpdate()
        .select('id', 'stock', 'price_cents', 'currency');
      const byId = new Map(pets.map((p) => [p.id, p]));

      const reject = async (reason: InventoryRejection, petId?: string) => {
        await trx.withSchema(S).table('reservations').insert({ order_id: orderId, user_id: userId, status: RESERVATION_STATUS.REJECTED, reason });
        await writeEvents(trx, S, [newEvent('InventoryRejected', { source: SOURCE, orderId, correlationId: event.correlationId, data: { reason, ...(petId ? { petId } : {}) } })]);
      };
      const unknown = items.find((i) => !byId.has(i.petId));
      if (unknown) return reject(CANCEL_REASON.UNKNOWN_PET, unknown.petId);
      if (new Set(pets.map((p) => p.currency)).size > 1) return reject(CANCEL_REASON.MIXED_CURRENCY);
      const short = items.find((i) => byId.get(i.petId)!.stock < i.quantity);
      if (short) return reject(CANCEL_REASON.OUT_OF_STOCK, short.petId);
      const wanted = items.reduce((n, i) => n + i.quantity, 0);
      if ((await unitsHeldBy(trx, userId)) + wanted > maxHeldUnits) return reject(CANCEL_REASON.HOLD_LIMIT);

      const priced: PricedItem[] = items.map((i) => ({ ...i, unitPriceCents: byId.get(i.petId)!.price_cents }));
      for (const item of priced) {
        await trx
          .withSchema(S)
          .table('pets')
          .where({ id: item.petId })
          .update({ stock: trx.raw('stock - ?', [item.quantity]), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      }
      const currency = pets[0]!.currency;
      const total = totalCents(priced);
      await trx.withSchema(S).table('reservations').insert({ order_id: orderId, user_id: userId, status: RESERVATION_STATUS.RESERVED, total_cents: total, currency });
      await trx
        .withSchema(S)
        .table('reservation_items')
        .insert(priced.map((i) => ({ order_id: orderId, pet_id: i.petId, quantity: i.quantity, unit_price_cents: i.unitPriceCents })));
      await writeEvents(trx, S, [
        newEvent('InventoryReserved', { source: SOURCE, orderId, correlationId: event.correlationId, data: { items: priced, totalCents: total, currency } }),
      ]);
    },

    /** The pets are sold: the reservation no longer holds them back from deletion. */
    async OrderConfirmed({ event, trx }) {
      await trx
        .withSchema(S)
        .table('reservations')
        .where({ order_id: event.orderId, status: RESERVATION_STATUS.RESERVED })
        .update({ status: RESERVATION_STATUS.COMMITTED, updated_at: trx.fn.now() });
    },

    /**
     * Restocks exactly what this order reserved, once; a cancel before any reservation voids it. Every
     * cancel is answered with InventoryReleased (no items when nothing was held): the saga waits for it.
     */
    async OrderCancelled({ event, trx }) {
      const orderId = event.orderId;
      const released = (items: { petId: string; quantity: number }[]) =>
        writeEvents(trx, S, [newEvent('InventoryReleased', { source: SOURCE, orderId, correlationId: event.correlationId, data: { items } })]);
      const reservation = await lockReservation(trx, orderId);
      if (!reservation) {
        await trx.withSchema(S).table('reservations').insert({ order_id: orderId, status: RESERVATION_STATUS.VOID, reason: event.data.reason });
        return released([]);
      }
      if (reservation.status !== RESERVATION_STATUS.RESERVED && reservation.status !== RESERVATION_STATUS.COMMITTED) return released([]);
      // What partial refunds already put back is not restocked twice.
      const items = await unitsNotRestocked(trx, orderId);
      for (const item of items) {
        await trx
          .withSchema(S)
          .table('pets')
          .where({ id: item.pet_id })
          .update({ stock: trx.raw('stock + ?', [item.quantity]), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      }
      await trx.withSchema(S).table('reservations').where({ order_id: orderId }).update({ status: RESERVATION_STATUS.RELEASED, updated_at: trx.fn.now() });
      await released(items.map((i) => ({ petId: i.pet_id, quantity: i.quantity })));
    },

    /**
     * A partial refund with restock: puts its lines back in stock, once per refund, never more units of a
     * pet than the order reserved and no refund restocked yet. A cancelled order's reservation is released
     * whole by OrderCancelled, so a refund arriving after it restocks nothing.
     */
    async PaymentRefunded({ event, trx }) {
      const { refundId, items, restock } = event.data;
      if (!restock || !refundId || !items?.length) return;
      const orderId = event.orderId;
      const reservation = await lockReservation(trx, orderId);
      if (!reservation || (reservation.status !== RESERVATION_STATUS.RESERVED && reservation.status !== RESERVATION_STATUS.COMMITTED)) return;
      if (await trx.withSchema(S).table('refund_restocks').where({ refund_id: refundId }).first()) return; // once per refund, whatever the event id
      const open = new Map((await unitsNotRestocked(trx, orderId)).map((i) => [i.pet_id, i.quantity]));
      for (const item of mergeItems(items).sort((a, b) => a.petId.localeCompare(b.petId))) {
        const quantity = Math.min(item.quantity, open.get(item.petId) ?? 0);
        if (quantity <= 0) continue;
        await trx.withSchema(S).table('refund_restocks').insert({ refund_id: refundId, order_id: orderId, pet_id: item.petId, quantity });
        await trx
          .withSchema(S)
          .table('pets')
          .where({ id: item.petId })
          .update({ stock: trx.raw('stock + ?', [quantity]), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
      }
    },
  };
}

/** The order's reserved units that no refund has put back in stock yet, by pet (in pet id order: locks are taken in that order). */
async function unitsNotRestocked(trx: Knex.Transaction, orderId: string): Promise<{ pet_id: string; quantity: number }[]> {
  const rows: { pet_id: string; quantity: string | number }[] = await trx
    .withSchema(S)
    .table('reservation_items as i')
    .leftJoin(
      trx.withSchema(S).table('refund_restocks').where({ order_id: orderId }).groupBy('pet_id').select('pet_id', trx.raw('sum(quantity) as restocked')).as('r'),
      'r.pet_id',
      'i.pet_id',
    )
    .where('i.order_id', orderId)
    .orderBy('i.pet_id')
    .select('i.pet_id', trx.raw('i.quantity - coalesce(r.restocked, 0) as quantity'));
  return rows.map((r) => ({ pet_id: r.pet_id, quantity: Number(r.quantity) })).filter((r) => r.quantity > 0);
}
