import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../lib/wait';
import { settledAudit, type Audit } from '../../bench/audit';
import { addPets, placeOrder, pool, waitTerminal } from './load';
import { outcomeOf, recordOutcome } from './outcomes';
import { CONSUMER_PARTS, useSplitSystem } from './system';

const KILL_RUNS = 20;
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;

describe('faults: processes killed with SIGKILL mid-flow', () => {
  const running = useSplitSystem();

  it('kill -9 the worker with 50 orders in flight, restart it: all 50 end, at most one payment each, no orphan reservation', async () => {
    const started = Date.now();
    const pets = await addPets(running.system.baseUrl, [40, 40]);
    const ids = [...pets.keys()];
    const tokens = ['tok_ok', 'tok_ok', 'tok_ok', 'tok_declined', 'tok_flaky'];
    const placing = pool(Array.from({ length: 50 }, (_, i) => i), 50, (i) =>
      placeOrder(running.system.baseUrl, { userId: `crash-${i % 25}`, items: [{ petId: ids[i % 2]!, quantity: 1 }], paymentToken: tokens[i % tokens.length]! }),
    );
    // Kill it once the first orders are written and the rest are in flight.
    await waitFor('the first orders to be written', async () => Number((await running.db.withSchema('orders').table('orders').count({ n: '*' }).where('user_id', 'like', 'crash-%'))[0]!.n) >= 5, {
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    const killedPid = running.system.pid('worker');
    running.system.kill('worker');
    await sleep(2000);
    await running.system.start('worker');
    expect(running.system.pid('worker')).not.toBe(killedPid);

    const placed = await placing;
    expect(placed.filter((p) => !p.ok)).toEqual([]);
    const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
    expect(await waitTerminal(running.db, orderIds, 120_000)).toEqual([]);
    const audit = await settledAudit(running.db, orderIds, pets);
    expect(audit.problems).toEqual([]);
    const [{ n: payments, orders }] = await running.db
      .withSchema('payments')
      .table('payments')
      .whereIn('order_id', orderIds)
      .select(running.db.raw('count(*)::int as n'), running.db.raw('count(distinct order_id)::int as orders'));
    expect(payments).toBe(orders); // at most one payment per order
    recordOutcome(outcomeOf('worker kill -9 with 50 in flight', [audit], Date.now() - started, `${audit.confirmed} confirmed, ${audit.cancelled} cancelled`));
  }, 300_000);

  it(`kill -9 the outbox relay and a consumer at random points, ${KILL_RUNS} runs: nothing unpublished, no event lost, effects once`, async () => {
    const started = Date.now();
    const audits: Audit[] = [];
    const killed: string[] = [];
    for (let run = 1; run <= KILL_RUNS; run++) {
      const pets = await addPets(running.system.baseUrl, [6]);
      const [petId] = [...pets.keys()];
      const consumer = pick(CONSUMER_PARTS);
      killed.push(consumer);
      const placing = pool(Array.from({ length: 8 }, (_, i) => i), 8, (i) =>
        placeOrder(running.system.baseUrl, { userId: `kill-${run}-${i}`, items: [{ petId: petId!, quantity: 1 }], paymentToken: i % 4 === 3 ? 'tok_declined' : 'tok_ok' }),
      );
      // Random points: anywhere from before the first event to the middle of the flow.
      await sleep(Math.random() * 800);
      running.system.kill('relay');
      await sleep(Math.random() * 300);
      running.system.kill(consumer);
      await sleep(500 + Math.random() * 1000);
      await Promise.all([running.system.start('relay'), running.system.start(consumer)]);

      const placed = await placing;
      expect(placed.filter((p) => !p.ok)).toEqual([]);
      const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
      const open = await waitTerminal(running.db, orderIds, 90_000);
      expect({ run, consumer, open }).toEqual({ run, consumer, open: [] });
      const audit = await settledAudit(running.db, orderIds, pets);
      expect({ run, consumer, problems: audit.problems }).toEqual({ run, consumer, problems: [] });
      audits.push(audit);
    }
    // Every outbox, not only these orders': nothing anywhere is left unpublished.
    for (const schema of ['orders', 'inventory', 'payments', 'notifications']) {
      const [{ n }] = await running.db.withSchema(schema).table('outbox').whereNull('sent_at').count({ n: '*' });
      expect({ schema, unpublished: Number(n) }).toEqual({ schema, unpublished: 0 });
    }
    const confirmed = audits.reduce((n, a) => n + a.confirmed, 0);
    recordOutcome(outcomeOf('relay + consumer kill -9, random points', audits, Date.now() - started, `${confirmed} confirmed; consumers killed: ${[...new Set(killed)].join(', ')}`));
  }, 1_200_000);
});
