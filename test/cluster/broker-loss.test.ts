import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { settledAudit } from '../../bench/audit';
import { percentile } from '../../bench/stats';
import { createKafka } from '../../kafka/client';
import { kafkaNames } from '../../kafka/topics';
import { leadersByBroker, partitionLayouts, underReplicated, type PartitionLayout } from '../../kafka/topology';
import { loadConfigWith, projectRoot } from '../../lib/config';
import { stackStatus } from '../../stack';
import { addPets, placeOrder, waitTerminal, type Placement } from '../reliability/load';
import { outcomeOf, recordOutcome } from '../reliability/outcomes';
import { RELIABILITY_CLUSTER_ENV, RELIABILITY_ENV } from '../reliability/stack-env';
import { useSplitSystem } from '../reliability/system';

const clusterConfig = loadConfigWith({ ...RELIABILITY_ENV, ...RELIABILITY_CLUSTER_ENV });

/** `petstore stack start|stop --only kafka` on the three-broker Kafka, as an operator would; start also restarts a node that died. */
function clusterStack(action: 'start' | 'stop'): string {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', action, '--only', 'kafka', '--json'], {
    cwd: projectRoot,
    env: { ...process.env, ...RELIABILITY_ENV, ...RELIABILITY_CLUSTER_ENV },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`stack ${action} --only kafka (3 brokers) failed (${result.status}): ${result.stderr}`);
  return result.stdout;
}

/** The petstore topics' partitions as the brokers see them now (a fresh client each time: one of them may just have died). */
async function layout(): Promise<PartitionLayout[]> {
  const admin = createKafka(clusterConfig, { retries: 1 }).admin();
  try {
    await admin.connect();
    return (await partitionLayouts(admin, kafkaNames(clusterConfig.namespace).allTopics)).flatMap((t) => t.partitions);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Leaderships per broker, e.g. "1:14 2:14 3:14". */
const leadership = (partitions: PartitionLayout[]): string => {
  const counts = leadersByBroker([{ partitions }]);
  return clusterConfig.kafka.nodes.map((n) => `${n.id}:${counts.get(n.id) ?? 0}`).join(' ');
};

/** Polls until `done` holds for the layout; returns the time it did and that layout. */
async function until(what: string, done: (partitions: PartitionLayout[]) => boolean, timeoutMs: number): Promise<{ at: number; partitions: PartitionLayout[] }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const partitions = await layout();
      if (done(partitions)) return { at: Date.now(), partitions };
      last = leadership(partitions);
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(200);
  }
  throw new Error(`${what} did not happen within ${timeoutMs} ms (last: ${last})`);
}

/** Places an order every `everyMs` until stopped, each for a customer of its own. */
function steadyFlow(baseUrl: string, petId: string, everyMs: number) {
  const placements: { at: number; result: Promise<Placement> }[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      placements.push({ at: Date.now(), result: placeOrder(baseUrl, { userId: `broker-loss-${Date.now()}-${i}`, items: [{ petId, quantity: 1 }], deadlineMs: 120_000 }) });
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return Promise.all(placements.map(async (p) => ({ at: p.at, ...(await p.result) })));
    },
  };
}

describe('broker loss: a three-broker Kafka loses a node under a steady flow of orders', () => {
  beforeAll(() => {
    clusterStack('start');
  }, 180_000);
  afterAll(() => {
    clusterStack('stop');
  }, 120_000);
  // The default deadlines: a broker loss must not cancel anything, so nothing is raised here.
  const running = useSplitSystem(RELIABILITY_CLUSTER_ENV);

  async function brokerLoss(pickVictim: () => Promise<number>) {
    const started = Date.now();
    const pets = await addPets(running.system.baseUrl, [10_000]);
    const [petId] = [...pets.keys()];
    await until('a full ISR everywhere', (p) => underReplicated([{ topic: '', partitions: p }]).length === 0, 60_000);
    const before = await layout();
    const victim = await pickVictim();
    const status = await stackStatus(clusterConfig);
    const controllerBefore = status.kafka.cluster?.controllerLeader;
    const pid = status.kafka.cluster?.brokers.find((b) => b.nodeId === victim)?.pid;
    if (pid === undefined) throw new Error(`broker ${victim} has no pid: ${JSON.stringify(status.kafka.cluster)}`);
    const preferred = before.filter((p) => p.replicas[0] === victim).length;

    const flow = steadyFlow(running.system.baseUrl, petId!, 250);
    await sleep(5000);
    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL'); // by pid, never by name
    const moved = await until(`broker ${victim}'s leaderships to move and it to leave every ISR`, (p) => p.every((x) => x.leader !== victim && x.leader >= 0 && !x.isr.includes(victim)), 30_000);
    let controllerAfter: number | undefined;
    let newControllerAt: number | undefined;
    while (Date.now() - killedAt < 30_000) {
      if (newControllerAt === undefined) {
        controllerAfter = (await stackStatus(clusterConfig)).kafka.cluster?.controllerLeader;
        if (controllerAfter !== undefined && controllerAfter !== victim) newControllerAt = Date.now();
      }
      await sleep(500);
    }
    // The status probe may time out on a busy machine: ask until a live node names the leader.
    for (let tries = 0; controllerAfter === undefined && tries < 20; tries++) {
      controllerAfter = (await stackStatus(clusterConfig)).kafka.cluster?.controllerLeader;
      if (controllerAfter !== undefined && controllerAfter !== victim && newControllerAt === undefined) newControllerAt = Date.now();
      if (controllerAfter === undefined) await sleep(500);
    }
    const restartedAt = Date.now();
    clusterStack('start');
    const rejoined = await until(`broker ${victim} back in every ISR`, (p) => underReplicated([{ topic: '', partitions: p }]).length === 0, 90_000);
    const restored = await until(`broker ${victim} to lead its preferred partitions again`, (p) => p.filter((x) => x.leader === victim).length >= preferred, 90_000);
    await sleep(5000);
    const placed = await flow.stop();

    const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
    const open = await waitTerminal(running.db, orderIds, 120_000);
    const rows: { order_id: string; status: string; at: Date }[] = await running.db
      .withSchema('orders')
      .table('order_transitions')
      .whereIn('order_id', orderIds)
      .whereIn('status', ['CONFIRMED', 'CANCELLED'])
      .select('order_id', 'status', 'at');
    const ended = new Map(rows.map((r) => [r.order_id, r]));
    const latency = (from: number, to: number) =>
      placed.filter((p) => p.ok && p.at >= from && p.at < to).flatMap((p) => (p.ok && ended.get(p.orderId)?.status === 'CONFIRMED' ? [ended.get(p.orderId)!.at.getTime() - p.at] : []))
        .sort((a, b) => a - b);
    const during = latency(killedAt, restored.at);
    const audit = await settledAudit(running.db, orderIds, pets);
    return {
      victim,
      audit,
      open,
      httpErrors: placed.filter((p) => !p.ok || p.attempts > 1).length,
      failures: placed.flatMap((p) => (p.ok ? [] : [p.error.slice(0, 80)])),
      cancelled: rows.filter((r) => r.status === 'CANCELLED').length,
      placedDuring: during.length,
      p99During: percentile(during, 99),
      maxDuring: Math.max(...during),
      p50Before: percentile(latency(started, killedAt), 50),
      leadership: { before: leadership(before), moved: leadership(moved.partitions), restored: leadership(restored.partitions) },
      movedAfterMs: moved.at - killedAt,
      rejoinedAfterMs: rejoined.at - restartedAt,
      restoredAfterMs: restored.at - restartedAt,
      controllerBefore,
      controllerAfter,
      newControllerAfterMs: newControllerAt === undefined ? undefined : newControllerAt - killedAt,
      ms: Date.now() - started,
    };
  }

  function check(result: Awaited<ReturnType<typeof brokerLoss>>, name: string) {
    const s = (ms: number | undefined) => (ms === undefined ? '?' : `${(ms / 1000).toFixed(1)}s`);
    const note =
      `broker ${result.victim} killed; leaders ${result.leadership.before} → ${result.leadership.moved} in ${s(result.movedAfterMs)} → ${result.leadership.restored} ${s(result.restoredAfterMs)} after restart; ` +
      `ISR full ${s(result.rejoinedAfterMs)} after restart; controller ${result.controllerBefore ?? '?'} → ${result.controllerAfter ?? '?'}${result.newControllerAfterMs === undefined ? '' : ` in ${s(result.newControllerAfterMs)}`}; ` +
      `${result.placedDuring} placed during the fault: p99 ${s(result.p99During)} (max ${s(result.maxDuring)}; p50 before ${s(result.p50Before)}); ${result.httpErrors} HTTP errors${result.failures.length ? ` (${[...new Set(result.failures)].join('; ')})` : ''}, ${result.cancelled} cancelled`;
    recordOutcome(outcomeOf(name, [result.audit], result.ms, note));
    process.stdout.write(`${name}: ${note}\n`);
    expect(result.open).toEqual([]);
    expect(result.audit.problems).toEqual([]);
    expect(result.httpErrors).toBe(0);
    expect(result.cancelled).toBe(0);
    expect(result.audit.confirmed).toBe(result.audit.orders);
    expect(result.placedDuring).toBeGreaterThan(100);
    expect(result.p99During ?? Infinity).toBeLessThanOrEqual(3000);
  }

  it('kill -9 of a broker, back 30 s later: no error, no cancel, p99 ≤ 3 s, leadership moves and returns, the broker rejoins every ISR', async () => {
    // A broker that is not the active controller: this scenario is the loss of a broker alone.
    const result = await brokerLoss(async () => {
      const { cluster } = (await stackStatus(clusterConfig)).kafka;
      return cluster!.brokers.find((b) => b.nodeId !== cluster!.controllerLeader)!.nodeId;
    });
    check(result, 'Kafka broker kill -9, back after 30 s (3 brokers)');
    expect(result.controllerAfter).toBe(result.controllerBefore);
  }, 600_000);

  it('kill -9 of the active controller: another node takes the quorum, with the same promises', async () => {
    const result = await brokerLoss(async () => {
      const leader = (await stackStatus(clusterConfig)).kafka.cluster?.controllerLeader;
      if (leader === undefined) throw new Error('no controller leader found');
      return leader;
    });
    check(result, 'Kafka active controller kill -9, back after 30 s (3 brokers)');
    expect(result.controllerAfter).not.toBe(result.victim);
  }, 600_000);
});
