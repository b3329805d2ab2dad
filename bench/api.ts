// The REST calls of the saga bench: its own pets (as admin, with the largest stock the catalogue
// takes, so no order is refused for stock; kept from run to run and topped up), and orders as its customers.
// Tokens are signed here as `petstore auth token` signs them.
import { randomUUID } from 'node:crypto';
import { ROLE, issueToken } from '../lib/auth';
import type { Config } from '../lib/config';

/** The payment token the simulator always pays. */
export const PAYMENT_TOKEN = 'tok_ok';
/** The largest stock PetInputSchema accepts. */
export const BENCH_PET_STOCK = 1_000_000;
/** The species of the bench's pets, which is how a run finds those of earlier runs. */
export const BENCH_SPECIES = 'bench';
// The most one restock adds (RestockBodySchema); a pet is topped up once it has sold that many.
const MAX_RESTOCK = 100_000;

// Long enough for any run and its drain; the tokens never leave this process.
const TOKEN_TTL_SECONDS = 12 * 3600;
const REQUEST_TIMEOUT_MS = 30_000;

/** A POST /orders outcome: the order id, or why there is none (`http:<status>` or `network`). */
export type PlaceOutcome = { ok: true; orderId: string } | { ok: false; kind: string; detail: string };

/** The bench's view of the API at baseUrl. */
export interface BenchApi {
  readonly baseUrl: string;
  /** Fails with a clear message when the API does not answer. */
  check(): Promise<void>;
  /** The ids of `count` bench pets (species "bench"), created when missing and topped up when their stock ran low. */
  preparePets(count: number): Promise<string[]>;
  /** Places one order of one pet for a customer. */
  placeOrder(userId: string, petId: string): Promise<PlaceOutcome>;
}

/** Thrown when the API cannot be used at all (down, or refusing the bench's admin token). */
export class BenchApiError extends Error {
  override name = 'BenchApiError';
}

async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as { detail?: string; title?: string };
    return problem.detail ?? problem.title ?? text;
  } catch {
    return text || response.statusText;
  }
}

/** The bench's API client; customer tokens are made once per customer and kept. */
export function createBenchApi(config: Config, baseUrl: string): BenchApi {
  const admin = issueToken(config, { role: ROLE.admin, userId: 'petstore-bench', ttlSeconds: TOKEN_TTL_SECONDS });
  const customerTokens = new Map<string, string>();
  const customerToken = (userId: string): string => {
    let token = customerTokens.get(userId);
    if (!token) customerTokens.set(userId, (token = issueToken(config, { role: ROLE.customer, userId, ttlSeconds: TOKEN_TTL_SECONDS })));
    return token;
  };
  const call = (method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  const unreachable = (error: unknown) =>
    new BenchApiError(`cannot reach the petstore API at ${baseUrl} (${(error as Error).cause ?? (error as Error).message}): start it (petstore serve --seed) or pass --api-url`);

  return {
    baseUrl,
    async check() {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(5000) }).catch((error: unknown) => {
        throw unreachable(error);
      });
      if (!response.ok) throw new BenchApiError(`the petstore API at ${baseUrl} is not healthy: ${response.status} ${await describeFailure(response)}`);
    },
    async preparePets(count) {
      const listed = await fetch(`${baseUrl}/pets?species=${BENCH_SPECIES}&limit=100`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }).catch((error: unknown) => {
        throw unreachable(error);
      });
      if (!listed.ok) throw new BenchApiError(`GET /pets failed with ${listed.status}: ${await describeFailure(listed)}`);
      const pets = ((await listed.json()) as { items: { id: string; stock: number }[] }).items.slice(0, count);
      for (const pet of pets) {
        if (pet.stock >= BENCH_PET_STOCK - MAX_RESTOCK) continue;
        const response = await call('POST', `/pets/${encodeURIComponent(pet.id)}/restock`, admin, { quantity: Math.min(MAX_RESTOCK, BENCH_PET_STOCK - pet.stock) });
        if (!response.ok) throw new BenchApiError(`restocking bench pet ${pet.id} as admin failed with ${response.status}: ${await describeFailure(response)}`);
      }
      for (let i = pets.length + 1; i <= count; i++) {
        const response = await call('POST', '/pets', admin, {
          name: `Bench pet #${i}`,
          species: BENCH_SPECIES,
          description: 'kept for petstore bench: every run orders from these and tops their stock up',
          tags: ['bench'],
          priceCents: 1000,
          stock: BENCH_PET_STOCK,
        });
        if (response.status !== 201) throw new BenchApiError(`POST /pets as admin failed with ${response.status}: ${await describeFailure(response)}`);
        pets.push((await response.json()) as { id: string; stock: number });
      }
      return pets.map((p) => p.id);
    },
    async placeOrder(userId, petId) {
      let response: Response;
      try {
        // A fresh Idempotency-Key per order: each POST is a new order, never a retry of another.
        response = await call('POST', '/orders', customerToken(userId), { items: [{ petId, quantity: 1 }], paymentToken: PAYMENT_TOKEN }, { 'idempotency-key': randomUUID() });
      } catch (error) {
        return { ok: false, kind: 'network', detail: String((error as Error).cause ?? (error as Error).message) };
      }
      if (response.status !== 202) return { ok: false, kind: `http:${response.status}`, detail: await describeFailure(response) };
      return { ok: true, orderId: ((await response.json()) as { orderId: string }).orderId };
    },
  };
}
