import { OrderLedger } from '../../bench/ledger';
import { runLoad, type LoadDeps } from '../../bench/load';
import { readEnvelope } from '../../bench/follower';
import { isPetstoreServer, parseVmRss, processLabel } from '../../bench/rss';

const confirmed = (seenAt: number) => ({ outcome: 'CONFIRMED' as const, seenAt });

describe('the saga bench ledger', () => {
  it('measures POST → 202 and POST → OrderConfirmed, and the publish lag of every event of its orders', () => {
    const ledger = new OrderLedger(60_000);
    ledger.sent();
    ledger.accepted('o1', 1000, 1030);
    ledger.event('o1', { time: 1040, seenAt: 1050 });
    ledger.event('o1', { time: 1100, seenAt: 1120, terminal: confirmed(1120) });
    ledger.event('someone-elses', { time: 1100, seenAt: 1500 });
    expect(ledger.acceptLatencies).toEqual([30]);
    expect(ledger.confirmLatencies).toEqual([120]);
    expect(ledger.publishLags).toEqual([10, 20]);
    expect(ledger.counts()).toEqual({ sent: 1, accepted: 1, confirmed: 1, cancelled: 0, rejected: 0, open: 0, timedOut: 0 });
    expect(ledger.lastConfirmedAt).toBe(1120);
  });

  it('claims events seen before the POST was answered, and counts a redelivered terminal event once', () => {
    const ledger = new OrderLedger(60_000);
    ledger.event('o1', { time: 990, seenAt: 1000, terminal: { outcome: 'CANCELLED', reason: 'OUT_OF_STOCK', seenAt: 1000 } });
    ledger.accepted('o1', 900, 1010);
    ledger.event('o1', { time: 990, seenAt: 1200, terminal: { outcome: 'CANCELLED', reason: 'OUT_OF_STOCK', seenAt: 1200 } });
    expect(ledger.counts()).toMatchObject({ accepted: 1, cancelled: 1, open: 0 });
    expect(ledger.errors.toJSON()).toEqual({ 'cancelled:OUT_OF_STOCK': 1 });
    expect(ledger.publishLags).toEqual([10, 210]);
  });

  it('counts refused POSTs by kind, and orders past the timeout once, still following them', async () => {
    const ledger = new OrderLedger(5000);
    ledger.rejected('http:429');
    ledger.rejected('network');
    ledger.accepted('slow', 0, 10);
    const waiting = ledger.untilTerminal('slow');
    ledger.sweep(4999);
    ledger.sweep(5000);
    ledger.sweep(6000);
    await expect(waiting).resolves.toBe('timeout');
    ledger.event('slow', { time: 7000, seenAt: 7001, terminal: confirmed(7001) });
    expect(ledger.counts()).toEqual({ sent: 0, accepted: 1, confirmed: 1, cancelled: 0, rejected: 2, open: 0, timedOut: 1 });
    expect(ledger.errors.toJSON()).toEqual({ 'http:429': 1, network: 1, timeout: 1 });
    expect(ledger.confirmedIds()).toEqual(['slow']);
  });

  it('wakes a waiting slot when its order is terminal', async () => {
    const ledger = new OrderLedger(5000);
    ledger.accepted('o1', 0, 5);
    const waiting = ledger.untilTerminal('o1');
    ledger.event('o1', { time: Number.NaN, seenAt: 50, terminal: confirmed(50) });
    await expect(waiting).resolves.toBe('terminal');
    expect(ledger.publishLags).toEqual([]);
  });
});

describe('the load loop', () => {
  function fakeWorld({ refuse = () => false }: { refuse?: (index: number) => boolean } = {}) {
    let now = 0;
    const placedAt: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const deps: LoadDeps = {
      now: () => now,
      sleep: async (ms) => void (now += ms),
      async place(index) {
        placedAt.push(now);
        return refuse(index) ? undefined : `o${index}`;
      },
      async untilDone() {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await Promise.resolve();
        now += 100;
        inFlight -= 1;
      },
    };
    return { deps, placedAt, maxInFlight: () => maxInFlight };
  }

  it('places orders on schedule at the rate until the duration is over', async () => {
    const world = fakeWorld();
    const result = await runLoad({ load: { kind: 'rate', perSecond: 4 }, durationMs: 2000, orders: undefined }, world.deps);
    expect(world.placedAt).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
    expect(result.placed).toBe(8);
  });

  it('stops at --orders when it comes before the duration', async () => {
    const world = fakeWorld();
    expect((await runLoad({ load: { kind: 'rate', perSecond: 100 }, durationMs: 60_000, orders: 5 }, world.deps)).placed).toBe(5);
    const closed = fakeWorld();
    expect((await runLoad({ load: { kind: 'concurrency', inFlight: 3 }, durationMs: undefined, orders: 10 }, closed.deps)).placed).toBe(10);
    expect(closed.maxInFlight()).toBe(3);
  });

  it('stops placing once aborted', async () => {
    const world = fakeWorld();
    const controller = new AbortController();
    controller.abort();
    expect((await runLoad({ load: { kind: 'rate', perSecond: 10 }, durationMs: 10_000, orders: undefined, signal: controller.signal }, world.deps)).placed).toBe(0);
  });
});

describe('reading events and processes', () => {
  it('reads the envelope fields the bench needs, and skips what is not an event', () => {
    const value = (o: unknown) => Buffer.from(JSON.stringify(o));
    expect(readEnvelope(value({ type: 'OrderConfirmed', orderId: 'o1', time: '2025-03-01T12:00:00.000Z', data: {} }), 5)).toEqual({
      orderId: 'o1',
      type: 'OrderConfirmed',
      time: Date.parse('2025-03-01T12:00:00.000Z'),
      seenAt: 5,
      terminal: { outcome: 'CONFIRMED', seenAt: 5 },
    });
    expect(readEnvelope(value({ type: 'OrderCancelled', orderId: 'o1', time: 'x', data: { reason: 'HOLD_LIMIT' } }), 5)?.terminal).toEqual({ outcome: 'CANCELLED', reason: 'HOLD_LIMIT', seenAt: 5 });
    expect(readEnvelope(value({ type: 'InventoryReserved', orderId: 'o1' }), 5)?.terminal).toBeUndefined();
    expect(readEnvelope(Buffer.from('not json'), 5)).toBeUndefined();
    expect(readEnvelope(null, 5)).toBeUndefined();
    expect(readEnvelope(value([1, 2]), 5)).toBeUndefined();
  });

  it('reads VmRSS in MiB', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t 999 kB\nVmRSS:\t  204800 kB\nThreads:\t11\n')).toBe(200);
    expect(parseVmRss('Name:\tkthreadd\n')).toBeUndefined();
  });

  it('recognises petstore servers by their command line, not the bench or the stack', () => {
    expect(isPetstoreServer(['node', '/w/bin/petstore', 'serve', '--seed'])).toBe(true);
    expect(isPetstoreServer(['node', '/w/dist/cli/index.js', 'start'])).toBe(true);
    expect(isPetstoreServer(['node', '/w/bin/petstore', '--api-url', 'http://127.0.0.1:3100', 'serve'])).toBe(true);
    expect(isPetstoreServer(['node', '/w/bin/petstore', 'stack', 'start'])).toBe(false);
    expect(isPetstoreServer(['node', '/w/bin/petstore', 'bench', '--rate', '5'])).toBe(false);
    expect(isPetstoreServer(['java', '-cp', 'kafka.Kafka'])).toBe(false);
    expect(processLabel(['node', '/w/bin/petstore', 'serve', '--only', 'api'])).toBe('petstore serve --only api');
  });
});
