import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import { settledAudit } from '../../bench/audit';
import { eventsCommand } from '../../cli/commands/events';
import { TERMINAL_ORDER_STATUSES } from '../../domain/orders';
import { createDb } from '../../db/knex';
import { createKafka } from '../../kafka/client';
import { partitionLayouts } from '../../kafka/topology';
import { allPartitions, readPartitions } from '../../support/kafka-reader';
import { runInProcess } from '../helpers/cli-in-process';
import { testConfig, testNames } from '../helpers/config';
import { startSystem, type RunningSystem } from '../helpers/system';
import { addPets, placeOrder, waitTerminal, type Placement } from '../reliability/load';

/** The order in which one order's events may appear; the ones a happy path writes, by kind. */
const HAPPY_PATH = ['OrderPlaced', 'InventoryReserved', 'PaymentSucceeded', 'OrderConfirmed'];
/** The statuses a confirmed order passes through, in order. */
const STATUS_ORDER = ['PLACED', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED'];

describe('scaling the orders topic under load', () => {
  let system: RunningSystem;
  let admin: Admin;
  const db = createDb(testConfig, { poolMax: 4 });

  beforeAll(async () => {
    // Metadata refreshed every 2 s instead of 30 s: the new partitions are picked up within the test.
    system = await startSystem({ KAFKA_METADATA_MAX_AGE: '2s' });
    admin = createKafka(testConfig).admin();
    await admin.connect();
  }, 120_000);

  afterAll(async () => {
    await admin?.disconnect();
    await system?.stop();
    await db.destroy();
  }, 60_000);

  it('adds partitions mid-flow: the consumers take the new ones, every order is confirmed with its events in order, the books balance', async () => {
    const [before] = await partitionLayouts(admin, [testNames.topics.orders]);
    const from = before!.partitions.length;
    const to = from + 3;
    const pets = await addPets(system.baseUrl, [5_000]);
    const [petId] = [...pets.keys()];

    const placements: Promise<Placement>[] = [];
    let flowing = true;
    const flow = (async () => {
      for (let i = 0; flowing; i++) {
        placements.push(placeOrder(system.baseUrl, { userId: `scaling-${Date.now()}-${i}`, items: [{ petId: petId!, quantity: 1 }], deadlineMs: 60_000 }));
        await sleep(100);
      }
    })();
    const stopFlow = async () => {
      flowing = false;
      await flow;
    };
    try {
      await sleep(4000);
      const scaled = await runInProcess((io) => [eventsCommand(io)], ['events', 'topics', 'scale', testNames.topics.orders, '--partitions', String(to), '--json']);
      expect(scaled.code).toBe(0);
      expect(JSON.parse(scaled.out)).toMatchObject({ topic: testNames.topics.orders, from, to });
      const refused = await runInProcess((io) => [eventsCommand(io)], ['events', 'topics', 'scale', testNames.topics.orders, '--partitions', String(from)]);
      expect(refused.code).toBe(2);
      expect(refused.err).toMatch(/cannot remove partitions/);
      // Long enough for producers and every consumer group to refresh their metadata and rebalance.
      await sleep(12_000);
    } finally {
      await stopFlow();
    }
    const placed = await Promise.all(placements);
    expect(placed.filter((p) => !p.ok)).toEqual([]);
    const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
    expect(await waitTerminal(db, orderIds, 60_000)).toEqual([]);

    // The new partitions were written to and every group reading orders committed on them.
    const ends = await admin.fetchTopicOffsets(testNames.topics.orders);
    const fresh = ends.filter((p) => p.partition >= from);
    expect(fresh).toHaveLength(3);
    expect(fresh.reduce((n, p) => n + Number(p.high), 0)).toBeGreaterThan(0);
    for (const group of [testNames.groups.inventory, testNames.groups.orders]) {
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [testNames.topics.orders] });
      const committed = offsets!.partitions.filter((p) => p.partition >= from && Number(p.offset) > 0);
      expect({ group, committedOnNewPartitions: committed.length > 0 }).toEqual({ group, committedOnNewPartitions: true });
    }

    // Every order confirmed, through its statuses in order.
    const transitions: { order_id: string; status: string; at: Date }[] = await db
      .withSchema('orders')
      .table('order_transitions')
      .whereIn('order_id', orderIds)
      .orderBy(['at', 'id'])
      .select('order_id', 'status', 'at');
    const byOrder = new Map<string, string[]>();
    for (const t of transitions) byOrder.set(t.order_id, [...(byOrder.get(t.order_id) ?? []), t.status]);
    for (const id of orderIds) {
      const statuses = byOrder.get(id) ?? [];
      expect({ id, statuses: statuses.filter((s) => (TERMINAL_ORDER_STATUSES as string[]).includes(s)) }).toEqual({ id, statuses: ['CONFIRMED'] });
      const ranks = statuses.map((s) => STATUS_ORDER.indexOf(s));
      expect({ id, ranks }).toEqual({ id, ranks: [...ranks].sort((a, b) => a - b) });
    }

    // On the topics, each order's happy-path events were written in their causal order (broker time),
    // also for the orders whose key moved to a new partition between two of their events.
    const records = await readPartitions(createKafka(testConfig), await allPartitions(admin, [testNames.topics.orders, testNames.topics.payments]), { names: testNames });
    const wanted = new Set(orderIds);
    const seen = new Map<string, { type: string; at: number; partition: number }[]>();
    for (const r of records) {
      const event = JSON.parse(r.value!.toString()) as { type: string; orderId: string };
      if (!wanted.has(event.orderId) || !HAPPY_PATH.includes(event.type)) continue;
      seen.set(event.orderId, [...(seen.get(event.orderId) ?? []), { type: event.type, at: Number(r.timestamp), partition: r.partition }]);
    }
    let moved = 0;
    for (const id of orderIds) {
      const events = seen.get(id) ?? [];
      const first = (type: string) => Math.min(...events.filter((e) => e.type === type).map((e) => e.at));
      expect({ id, types: [...new Set(events.map((e) => e.type))].sort() }).toEqual({ id, types: [...HAPPY_PATH].sort() });
      const times = HAPPY_PATH.map(first);
      expect({ id, times }).toEqual({ id, times: [...times].sort((a, b) => a - b) });
      const onOrders = new Set(events.filter((e) => e.type === 'OrderPlaced' || e.type === 'OrderConfirmed').map((e) => e.partition));
      if (onOrders.size > 1) moved++;
    }
    // Keys do move when the count changes: some orders in flight straddled the change.
    process.stdout.write(`topic scaling: ${orderIds.length} orders, ${from} → ${to} partitions, ${moved} with events on two partitions\n`);

    const audit = await settledAudit(db, orderIds, pets);
    expect(audit.problems).toEqual([]);
    expect(audit.confirmed).toBe(orderIds.length);
  }, 240_000);
});
