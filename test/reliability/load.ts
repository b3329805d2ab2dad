import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { TERMINAL_ORDER_STATUSES } from '../../domain/orders';
import { apiClient, tokenFor } from '../helpers/system';

/** Adds pets with the given stock through the API, as an admin would; returns their ids with their stock. */
export async function addPets(baseUrl: string, stocks: number[], { priceCents = 1000 } = {}): Promise<Map<string, number>> {
  const call = apiClient(baseUrl, tokenFor('admin', 'reliability-admin'));
  const pets = new Map<string, number>();
  for (const [i, stock] of stocks.entries()) {
    const { status, body } = await call<{ id: string }>('POST', '/pets', { name: `Test pet ${i}`, species: 'dog', priceCents, stock });
    if (status !== 201) throw new Error(`POST /pets answered ${status}: ${JSON.stringify(body)}`);
    pets.set(body.id, stock);
  }
  return pets;
}

/** One attempt's answer: its HTTP status (0: no answer), how long it took, and the Retry-After it carried. */
export interface Answer {
  /** When the attempt was sent (epoch ms). */
  sentAt: number;
  status: number;
  ms: number;
  retryAfter: string | null;
}

/** What placing one order came to, with every attempt's answer. */
export type Placement = ({ ok: true; orderId: string } | { ok: false; error: string }) & { attempts: number; answers: Answer[] };

/**
 * Places an order the way a careful client does: with an Idempotency-Key, retrying network errors
 * and 5xx answers (same key, so a retry joins the first attempt) until `deadlineMs` has passed.
 */
export async function placeOrder(
  baseUrl: string,
  { userId, items, paymentToken = 'tok_ok', deadlineMs = 120_000 }: { userId: string; items: { petId: string; quantity: number }[]; paymentToken?: string; deadlineMs?: number },
): Promise<Placement> {
  const call = apiClient(baseUrl, tokenFor('customer', userId));
  const key = randomUUID();
  const until = Date.now() + deadlineMs;
  let last = '';
  const answers: Answer[] = [];
  for (let attempt = 1; ; attempt++) {
    const sent = Date.now();
    try {
      const { status, body, headers } = await call<{ orderId: string }>('POST', '/orders', { items, paymentToken }, { 'idempotency-key': key });
      answers.push({ sentAt: sent, status, ms: Date.now() - sent, retryAfter: headers.get('retry-after') });
      if (status === 202 || status === 200) return { ok: true, orderId: body.orderId, attempts: attempt, answers };
      last = `HTTP ${status}`;
      if (status < 500 && status !== 429) return { ok: false, error: `${last}: ${JSON.stringify(body)}`, attempts: attempt, answers };
    } catch (error) {
      answers.push({ sentAt: sent, status: 0, ms: Date.now() - sent, retryAfter: null });
      last = (error as Error).message;
    }
    if (Date.now() > until) return { ok: false, error: `gave up: ${last}`, attempts: attempt, answers };
    await sleep(Math.min(250 * attempt, 2000));
  }
}

/** Runs `task` for each item with at most `concurrency` at once. */
export async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}

/** Waits until every order is CONFIRMED or CANCELLED in the Order service's table; returns those still open (or unwritten) at the deadline. */
export async function waitTerminal(db: Knex, orderIds: string[], timeoutMs: number): Promise<string[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const done: { id: string }[] = await db
      .withSchema('orders')
      .table('orders')
      .whereIn('id', orderIds)
      .whereIn('status', TERMINAL_ORDER_STATUSES as string[])
      .select('id');
    const terminal = new Set(done.map((o) => o.id));
    const open = orderIds.filter((id) => !terminal.has(id));
    if (open.length === 0 || Date.now() > until) return open;
    await sleep(250);
  }
}
