import { setTimeout as sleep } from 'node:timers/promises';
import { UnavailableError } from '../../lib/errors';
import { createTemporalGate } from '../../services/orders/temporal-gate';

// As the SDK's connection does: the call is abandoned when the signal fires.
const connection = {
  withAbortSignal: <R>(signal: AbortSignal, fn: () => Promise<R>): Promise<R> =>
    Promise.race([fn(), new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)))]),
};
const never = () => new Promise<never>(() => undefined);

describe('the Temporal gate', () => {
  it('lets a quick call through without looking', async () => {
    const probe = jest.fn(async () => true);
    const gate = createTemporalGate({ address: '127.0.0.1:1', probe });
    await expect(gate.run(connection, async () => 'placed')).resolves.toBe('placed');
    expect(probe).not.toHaveBeenCalled();
  });

  it('lets a slow call finish when Temporal is there, only slow', async () => {
    const gate = createTemporalGate({ address: '127.0.0.1:1', suspectAfterMs: 20, probe: async () => true });
    await expect(gate.run(connection, () => sleep(100).then(() => 'placed'))).resolves.toBe('placed');
    expect(gate.down).toBe(false);
  });

  it('ends open calls soon after Temporal is found gone, refuses new ones at once, and lets them through again when it is back', async () => {
    let up = false;
    const gate = createTemporalGate({ address: '127.0.0.1:1', suspectAfterMs: 20, recheckEveryMs: 10, probe: async () => up });
    const started = Date.now();
    const calls = [gate.run(connection, never), gate.run(connection, never)];
    for (const call of calls) await expect(call).rejects.toBeInstanceOf(UnavailableError);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(gate.down).toBe(true);
    const call = jest.fn(async () => 'placed');
    await expect(gate.run(connection, call)).rejects.toThrow(/does not answer/);
    expect(call).not.toHaveBeenCalled();
    up = true;
    await sleep(50);
    expect(gate.down).toBe(false);
    await expect(gate.run(connection, call)).resolves.toBe('placed');
  });
});
