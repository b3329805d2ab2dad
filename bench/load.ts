// The load loop: places orders at a steady rate (open loop: the next order goes out on schedule
// whether or not earlier ones are done, so a slow system shows as latency, not as a lower rate) or
// keeps a fixed number of orders in flight (closed loop: a slot takes its next order once the last
// one is terminal or timed out).
import type { LoadShape } from './options';

const REFUSED_PAUSE_MS = 100;

/** What the loop needs from the outside: placing one order, waiting for it, and the clock. */
export interface LoadDeps {
  /** Places order number `index`; resolves with its id when accepted, undefined when refused. Never rejects. */
  place(index: number): Promise<string | undefined>;
  /** Resolves once the order is terminal or timed out. */
  untilDone(orderId: string): Promise<unknown>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** When the loop stops placing orders. */
export interface LoadLimits {
  load: LoadShape;
  durationMs: number | undefined;
  orders: number | undefined;
  /** Aborting stops placing new orders (Ctrl-C). */
  signal?: AbortSignal;
}

/** How the placing went. */
export interface LoadResult {
  startedAt: number;
  /** When the last order was placed (its POST answered). */
  endedAt: number;
  placed: number;
}

/** Places orders until --duration or --orders is reached (or the signal aborts); resolves once every POST is answered. */
export async function runLoad({ load, durationMs, orders, signal }: LoadLimits, deps: LoadDeps): Promise<LoadResult> {
  const startedAt = deps.now();
  let next = 0;
  const mayPlace = (index: number, at: number) =>
    !signal?.aborted && (orders === undefined || index < orders) && (durationMs === undefined || at - startedAt < durationMs);

  if (load.kind === 'rate') {
    const gapMs = 1000 / load.perSecond;
    const posts: Promise<unknown>[] = [];
    for (;;) {
      const due = startedAt + next * gapMs;
      if (!mayPlace(next, due)) break;
      const wait = due - deps.now();
      // Behind schedule (a slow event loop) the missed orders go out at once: the schedule, not the system, sets the rate.
      if (wait > 0) await deps.sleep(wait);
      if (signal?.aborted) break;
      posts.push(deps.place(next++));
    }
    await Promise.all(posts);
  } else {
    const slot = async () => {
      while (mayPlace(next, deps.now())) {
        const orderId = await deps.place(next++);
        // A refused order frees its slot at once; the pause keeps a failing API from being hammered in a tight loop.
        if (orderId === undefined) await deps.sleep(REFUSED_PAUSE_MS);
        else await deps.untilDone(orderId);
      }
    };
    await Promise.all(Array.from({ length: load.inFlight }, slot));
  }
  return { startedAt, endedAt: deps.now(), placed: next };
}
