import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionLike } from '@temporalio/client';
import { UnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';

/** How the gate tells a Temporal that is down or hung from one that is only busy. */
export interface TemporalGateOptions {
  /** host:port of the Temporal frontend, for the messages. */
  address: string;
  /** Whether the frontend answers a cheap call in time (getSystemInfo within a second). */
  probe: () => Promise<boolean>;
  /** A call still open after this long makes the gate look whether the frontend answers at all. */
  suspectAfterMs?: number;
  /** While the frontend is away, how often the gate looks again. */
  recheckEveryMs?: number;
  logger?: Logger;
}

/** Calls to Temporal that fail in a second or two when it is down, instead of at their deadline. */
export interface TemporalGate {
  /** Runs `call` on `connection`; refuses at once (UnavailableError) while Temporal is known to be down. */
  run<T>(connection: Pick<ConnectionLike, 'withAbortSignal'>, call: () => Promise<T>): Promise<T>;
  /** True while the frontend is known not to answer. */
  readonly down: boolean;
}

/**
 * The SDK retries an unreachable frontend until the call's deadline, which must stay long enough for a
 * busy worker to take the update (TEMPORAL_CALL_TIMEOUT). So a call still open after `suspectAfterMs`
 * makes the gate ask the frontend something cheap: no answer within the probe's second means it is down
 * or hung (a server that is stopping still accepts connections and answers nothing), not busy. Then every
 * open call is aborted, new ones are refused at once, and the gate asks again every `recheckEveryMs`
 * until it answers.
 */
export function createTemporalGate({ address, probe, suspectAfterMs = 500, recheckEveryMs = 500, logger }: TemporalGateOptions): TemporalGate {
  let down = false;
  let aborter = new AbortController();
  let looking: Promise<void> | undefined;
  const refusal = () => new UnavailableError(`Temporal at ${address} does not answer`);

  async function watchUntilBack(): Promise<void> {
    while (!(await probe())) await sleep(recheckEveryMs);
    down = false;
    aborter = new AbortController();
    logger?.info({ address }, 'Temporal answers again: orders are accepted');
  }

  // One look at a time, however many calls are waiting.
  const look = () =>
    (looking ??= (async () => {
      if (down || (await probe())) return;
      down = true;
      aborter.abort(refusal());
      logger?.warn({ address }, 'Temporal does not answer: orders are refused with 503 until it does');
      void watchUntilBack();
    })().finally(() => (looking = undefined)));

  return {
    get down() {
      return down;
    },
    async run(connection, call) {
      if (down) throw refusal();
      const suspect = setTimeout(() => void look(), suspectAfterMs);
      const { signal } = aborter;
      try {
        return await connection.withAbortSignal(signal, call);
      } catch (error) {
        if (signal.aborted) throw signal.reason as Error;
        throw error;
      } finally {
        clearTimeout(suspect);
      }
    },
  };
}
