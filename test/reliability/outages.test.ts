import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectRoot } from '../../lib/config';
import { settledAudit } from '../../bench/audit';
import { addPets, placeOrder, waitTerminal, type Placement } from './load';
import { outcomeOf, recordOutcome } from './outcomes';
import { RELIABILITY_ENV } from './stack-env';
import { useSplitSystem } from './system';

type StackPart = 'kafka' | 'postgres' | 'temporal';

/** `petstore stack stop|start --only <part>` on the private stack, as an operator would. */
function stack(action: 'stop' | 'start', part: StackPart): void {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', action, '--only', part], {
    cwd: projectRoot,
    env: { ...process.env, ...RELIABILITY_ENV },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`stack ${action} --only ${part} failed (${result.status}): ${result.stderr}`);
}

/** Places an order every `everyMs` until stopped; remembers when each was placed and how it went. */
function steadyFlow(baseUrl: string, petId: string, everyMs: number) {
  const placements: { at: number; result: Promise<Placement> }[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      // A customer per order: a flow held up by an outage stays under the per-customer hold cap.
      placements.push({ at: Date.now(), result: placeOrder(baseUrl, { userId: `flow-${i}`, items: [{ petId, quantity: 1 }], deadlineMs: 180_000 }) });
      await sleep(everyMs);
    }
  })();
  return {
    placements,
    async stop() {
      running = false;
      await loop;
      return Promise.all(placements.map(async (p) => ({ at: p.at, ...(await p.result) })));
    },
  };
}

/** Polls GET /readyz until `part` reads `up`; returns the time it did. */
async function readyzSays(baseUrl: string, part: StackPart, up: boolean, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const body = (await (await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(3000) })).json()) as { parts: Record<StackPart, boolean> };
      if (body.parts[part] === up) return Date.now();
    } catch {
      // the probe itself timed out: ask again
    }
    await sleep(250);
  }
  throw new Error(`GET /readyz did not report ${part} ${up ? 'up' : 'down'} within ${timeoutMs} ms`);
}

describe('outages: the broker, the database and Temporal go away under a steady flow of orders', () => {
  // Orders placed while Kafka is away wait longer than the default 30 s for Inventory; the deadline is
  // a business setting, raised here so that every order can still be confirmed once the broker returns.
  const running = useSplitSystem({ INVENTORY_DEADLINE: '3m' });

  async function outage(part: StackPart, downMs: number) {
    const started = Date.now();
    const pets = await addPets(running.system.baseUrl, [10_000]);
    const [petId] = [...pets.keys()];
    const flow = steadyFlow(running.system.baseUrl, petId!, 250);
    await sleep(5000);

    const stopping = Date.now();
    stack('stop', part);
    const down = Date.now();
    const reportedDown = await readyzSays(running.system.baseUrl, part, false, 30_000);
    await sleep(Math.max(0, downMs - (Date.now() - down)));
    stack('start', part);
    const back = Date.now();
    await readyzSays(running.system.baseUrl, part, true, 60_000);
    await sleep(5000);
    const placed = await flow.stop();

    expect(placed.filter((p) => !p.ok)).toEqual([]);
    const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
    const open = await waitTerminal(running.db, orderIds, 60_000 - (Date.now() - back) + 5000);
    const allDone = Date.now();
    expect(open).toEqual([]);
    const audit = await settledAudit(running.db, orderIds, pets);
    expect(audit.problems).toEqual([]);
    expect(audit.confirmed).toBe(orderIds.length);
    const during = placed.filter((p) => p.at >= down && p.at < back);
    return {
      audit,
      placed,
      stopping,
      placedDuring: during,
      readyzDownAfterMs: reportedDown - down,
      stopTookMs: down - stopping,
      completedAfterReturnMs: allDone - back,
      ms: Date.now() - started,
    };
  }

  it('Kafka stopped for 60 s: orders keep being accepted, /readyz says so within 10 s, everything completes within 60 s of its return', async () => {
    const result = await outage('kafka', 60_000);
    expect(result.readyzDownAfterMs).toBeLessThanOrEqual(10_000);
    // The API kept accepting: every order placed while the broker was away was accepted at the first try.
    expect(result.placedDuring.length).toBeGreaterThan(100);
    expect(result.placedDuring.filter((p) => p.attempts > 1)).toEqual([]);
    expect(result.completedAfterReturnMs).toBeLessThanOrEqual(60_000);
    const restarts = Object.entries(running.system.crashes()).map(([name, n]) => `${name}×${n}`).join(' ') || 'none';
    recordOutcome(
      outcomeOf('Kafka down 60 s under a steady flow', [result.audit], result.ms, `readyz down after ${(result.readyzDownAfterMs / 1000).toFixed(1)}s; ${result.placedDuring.length} accepted while down; all done ${(result.completedAfterReturnMs / 1000).toFixed(1)}s after return; supervisor restarts: ${restarts}`),
    );
  }, 600_000);

  it('Temporal stopped for 10 s: placements are refused with 503 and Retry-After, never a 500, none is lost or cancelled', async () => {
    const before = running.system.crashes();
    const result = await outage('temporal', 10_000);
    const answers = result.placed.flatMap((p) => p.answers);
    const refusals = answers.filter((a) => a.status !== 202 && a.status !== 200);
    // Never a 500, a dropped connection or a hang: a 503 that says when to come back, within 2 s.
    expect(refusals.filter((a) => a.status !== 503 || a.retryAfter === null)).toEqual([]);
    // Not asserted yet, reported: how long the slowest refusal took, and how many took over 2 s (the target is none).
    const slowest = Math.max(0, ...refusals.map((a) => a.ms));
    const overTwoSeconds = refusals.filter((a) => a.ms > 2_000).length;
    // The careful client retried with its key and every order was confirmed (outage() checks the books).
    expect(result.completedAfterReturnMs).toBeLessThanOrEqual(60_000);
    const restarts = Object.entries(running.system.crashes()).map(([name, n]) => `${name}×${n - (before[name as keyof typeof before] ?? 0)}`).filter((s) => !s.endsWith('×0')).join(' ') || 'none';
    recordOutcome(
      outcomeOf('Temporal down 10 s under a steady flow', [result.audit], result.ms, `readyz down after ${(result.readyzDownAfterMs / 1000).toFixed(1)}s; ${refusals.length} refusal(s) while down, all 503 with Retry-After, slowest ${slowest} ms, ${overTwoSeconds} over 2 s; 0 cancelled; all done ${(result.completedAfterReturnMs / 1000).toFixed(1)}s after return; supervisor restarts: ${restarts}`),
    );
  }, 600_000);

  it('Postgres restarted mid-flow: /readyz says so within 10 s, every order completes within 60 s of its return', async () => {
    const before = running.system.crashes();
    const result = await outage('postgres', 5_000);
    expect(result.readyzDownAfterMs).toBeLessThanOrEqual(10_000);
    expect(result.completedAfterReturnMs).toBeLessThanOrEqual(60_000);
    const retried = result.placedDuring.filter((p) => p.attempts > 1).length;
    const restarts = Object.entries(running.system.crashes()).map(([name, n]) => `${name}×${n - (before[name as keyof typeof before] ?? 0)}`).filter((s) => !s.endsWith('×0')).join(' ') || 'none';
    recordOutcome(
      outcomeOf('Postgres restart under a steady flow', [result.audit], result.ms, `readyz down after ${(result.readyzDownAfterMs / 1000).toFixed(1)}s; ${retried} placement(s) retried by the client; all done ${(result.completedAfterReturnMs / 1000).toFixed(1)}s after return; supervisor restarts: ${restarts}`),
    );
  }, 600_000);
});
