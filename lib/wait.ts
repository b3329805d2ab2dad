import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `check` until it returns a value other than undefined/false, or throws a message naming what never came up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  { timeoutMs, intervalMs = 250, hint }: { timeoutMs: number; intervalMs?: number; hint?: () => string },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const extra = hint?.();
      throw new Error(`${what} was not ready after ${Math.round(timeoutMs / 1000)} s${cause}${extra ? `\n${extra}` : ''}`);
    }
    await sleep(intervalMs);
  }
}

/** `promise`, or a rejection "timed out after <ms>ms" if it has not settled by then (the timer never keeps the process alive). */
export function withTimeout<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms}ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
