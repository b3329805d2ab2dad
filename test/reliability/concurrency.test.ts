import { CANCEL_REASON, ORDER_STATUS } from '../../domain/orders';
import { settledAudit, type Audit } from '../../bench/audit';
import { addPets, placeOrder, pool, waitTerminal } from './load';
import { outcomeOf, recordOutcome } from './outcomes';
import { useSplitSystem } from './system';

const RUNS = 20;
const ORDERS = 200;
const STOCK = 10;

describe('concurrency: the last items and multi-item orders', () => {
  const running = useSplitSystem();

  it(`${ORDERS} concurrent orders from 25 customers for a pet with stock ${STOCK}, ${RUNS} times: exactly ${STOCK} confirmed each time`, async () => {
    const started = Date.now();
    const audits: Audit[] = [];
    for (let run = 1; run <= RUNS; run++) {
      const pets = await addPets(running.system.baseUrl, [STOCK]);
      const [petId] = [...pets.keys()];
      // Every request in flight at once: the API, the saga and Inventory decide who gets the last ones.
      const placed = await pool(Array.from({ length: ORDERS }, (_, i) => i), ORDERS, (i) =>
        placeOrder(running.system.baseUrl, { userId: `buyer-${run}-${i % 25}`, items: [{ petId: petId!, quantity: 1 }] }),
      );
      const refused = placed.filter((p) => !p.ok);
      expect(refused).toEqual([]);
      const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
      expect(await waitTerminal(running.db, orderIds, 60_000)).toEqual([]);

      const audit = await settledAudit(running.db, orderIds, pets);
      audits.push(audit);
      expect(audit.problems).toEqual([]);
      expect(audit.confirmed).toBe(STOCK);
      const reasons: { cancel_reason: string; n: string }[] = await running.db
        .withSchema('orders')
        .table('orders')
        .whereIn('id', orderIds)
        .where({ status: ORDER_STATUS.CANCELLED })
        .groupBy('cancel_reason')
        .select('cancel_reason', running.db.raw('count(*) as n'));
      expect(reasons).toEqual([{ cancel_reason: CANCEL_REASON.OUT_OF_STOCK, n: String(ORDERS - STOCK) }]);
      const [{ stock }] = await running.db.withSchema('inventory').table('pets').where({ id: petId }).select('stock');
      expect(stock).toBe(0);
    }
    recordOutcome(outcomeOf('last items (200 orders, stock 10)', audits, Date.now() - started, `${STOCK} confirmed in each run`));
  }, 900_000);

  it('multi-item orders naming their pets in random order: no deadlock reaches a customer, stock conserved for every pet', async () => {
    const started = Date.now();
    const pets = await addPets(running.system.baseUrl, [30, 30, 30, 30, 30]);
    const ids = [...pets.keys()];
    const shuffled = <T>(list: T[]) => list.map((v) => [Math.random(), v] as const).sort((a, b) => a[0] - b[0]).map(([, v]) => v);
    const placed = await pool(Array.from({ length: 150 }, (_, i) => i), 150, (i) =>
      placeOrder(running.system.baseUrl, {
        userId: `basket-${i}`, // one order each: baskets of up to 8 units stay under the hold cap
        items: shuffled(ids).slice(0, 2 + (i % 3)).map((petId) => ({ petId, quantity: 1 + (i % 2) })),
      }),
    );
    expect(placed.filter((p) => !p.ok)).toEqual([]);
    const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
    expect(await waitTerminal(running.db, orderIds, 60_000)).toEqual([]);
    const audit = await settledAudit(running.db, orderIds, pets);
    expect(audit.problems).toEqual([]);
    expect(audit.confirmed).toBeGreaterThan(0);
    // A deadlock would surface as a dead letter or as an order stuck or cancelled for want of an answer.
    const [{ n }] = await running.db.withSchema('orders').table('orders').whereIn('id', orderIds).where({ cancel_reason: CANCEL_REASON.INVENTORY_TIMEOUT }).count({ n: '*' });
    expect(Number(n)).toBe(0);
    expect(running.system.output()).not.toMatch(/deadlock detected/);
    recordOutcome(outcomeOf('multi-item, random pet order', [audit], Date.now() - started, `${audit.confirmed} confirmed, ${audit.cancelled} out of stock`));
  }, 300_000);
});
