// The bare side of the HTTP bench: Fastify with nothing but three routes that run the petstore
// repositories' SQL (the same statements, on a pool of the same settings) and send the rows as JSON.
// No auth, schemas, mapping, logging or plugins: what is left is Fastify, pg and the database.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import pg from 'pg';
import { pageQuery } from '../../services/paging';

/** The list page size the petstore API uses when none is asked for (PAGE_LIMIT.default). */
const DEFAULT_PAGE = 20;

/** The three reads, as services/inventory/pets.ts and services/orders/orders.ts issue them (the list with the same keyset paging helper). */
export const BARE_QUERIES = {
  /** GET /pets: the first page of the catalogue, keyset-ordered. */
  pets: (db: Knex) => pageQuery(db.withSchema('inventory').table('pets').whereNull('deleted_at').select('*'), { limit: DEFAULT_PAGE, direction: 'asc' }),
  /** GET /pets/:id. */
  pet: (db: Knex, id: string) => db.withSchema('inventory').table('pets').whereNull('deleted_at').where({ id }).first(),
  /** GET /orders/:id: the order row, then its items. */
  order: (db: Knex, id: string) => db.withSchema('orders').table('orders').where({ id }).first(),
  orderItems: (db: Knex, id: string) => db.withSchema('orders').table('order_items').whereIn('order_id', [id]).orderBy('pet_id'),
};

/** The bare app (not listening yet). */
export function buildBareApp(db: Knex): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/pets', async () => BARE_QUERIES.pets(db));
  app.get<{ Params: { id: string } }>('/pets/:id', async (request, reply) => (await BARE_QUERIES.pet(db, request.params.id)) ?? reply.code(404).send());
  app.get<{ Params: { id: string } }>('/orders/:id', async (request, reply) => {
    const order = await BARE_QUERIES.order(db, request.params.id);
    if (!order) return reply.code(404).send();
    return { ...order, items: await BARE_QUERIES.orderItems(db, request.params.id) };
  });
  return app;
}

/** One statement as it reached Postgres. */
export interface SentQuery {
  text: string;
  values: unknown[];
}

/**
 * Runs fn and returns the statements every pg client in this process sent meanwhile: the check that
 * the bare routes send what the petstore API sends. Meant for one request at a time; the hook is
 * removed before this returns.
 */
export async function recordQueries(fn: () => Promise<unknown>): Promise<SentQuery[]> {
  const sent: SentQuery[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first, second] = args;
    if (typeof first === 'string') sent.push({ text: first, values: Array.isArray(second) ? second : [] });
    else if (first && typeof first === 'object' && 'text' in first) sent.push({ text: String((first as { text: unknown }).text), values: ((first as { values?: unknown[] }).values ?? []) });
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return sent;
}
