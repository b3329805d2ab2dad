import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { PetInput, PetsPort } from '../../api/ports';
import { petStatus, PET_STATUS, type Pet } from '../../domain/pets';
import { ConflictError, NotFoundError, PreconditionFailedError } from '../../lib/errors';
import { isUuid } from '../../lib/ids';
import { pageQuery, toPage } from '../paging';

const S = 'inventory';

/** The stock column is a Postgres integer: a restock that would pass this is refused, not an overflow error. */
const STOCK_CEILING = 2_147_483_647;

interface PetRow {
  id: string;
  name: string;
  species: string;
  breed: string | null;
  age: number | null;
  description: string | null;
  tags: string[];
  price_cents: number;
  currency: string;
  stock: number;
  version: number;
  created_at: Date;
  updated_at: Date;
}

/** A database row as the API's Pet. */
export function toPet(row: PetRow): Pet {
  return {
    id: row.id,
    name: row.name,
    species: row.species,
    breed: row.breed,
    age: row.age,
    description: row.description,
    tags: row.tags,
    priceCents: row.price_cents,
    currency: row.currency,
    stock: row.stock,
    status: petStatus(row.stock),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toRow(input: PetInput) {
  return {
    name: input.name,
    species: input.species,
    breed: input.breed ?? null,
    age: input.age ?? null,
    description: input.description ?? null,
    tags: input.tags ?? [],
    price_cents: input.priceCents,
    currency: input.currency ?? 'EUR',
    stock: input.stock,
  };
}

/** The catalogue: Pet Inventory's side of the REST API. */
export function createPetsRepository(db: Knex): PetsPort {
  const pets = () => db.withSchema(S).table('pets').whereNull('deleted_at');

  return {
    async list({ limit, cursor, species, status }) {
      const query = pets().select('*');
      if (species) query.where({ species });
      if (status) query.where('stock', status === PET_STATUS.available ? '>' : '=', 0);
      const rows = (await pageQuery(query, { limit, cursor, direction: 'asc' })) as PetRow[];
      return toPage(rows, limit, toPet);
    },
    async get(id) {
      if (!isUuid(id)) return undefined;
      const row = (await pets().where({ id }).first()) as PetRow | undefined;
      return row && toPet(row);
    },
    async create(input) {
      const [row] = (await db.withSchema(S).table('pets').insert({ id: randomUUID(), ...toRow(input) }).returning('*')) as PetRow[];
      return toPet(row!);
    },
    async update(id, input, expectedVersion) {
      if (!isUuid(id)) throw new NotFoundError(`no pet ${id}`);
      const query = pets().where({ id });
      if (expectedVersion !== undefined) query.where({ version: expectedVersion });
      const [row] = (await query.update({ ...toRow(input), version: db.raw('version + 1'), updated_at: db.fn.now() }).returning('*')) as PetRow[];
      if (row) return toPet(row);
      const current = await pets().where({ id }).first('version');
      if (!current) throw new NotFoundError(`no pet ${id}`);
      throw new PreconditionFailedError(`pet ${id} is at version ${current.version}, not ${expectedVersion}: read it again and retry`);
    },
    async remove(id) {
      if (!isUuid(id)) throw new NotFoundError(`no pet ${id}`);
      await db.transaction(async (trx) => {
        const pet = await trx.withSchema(S).table('pets').where({ id }).whereNull('deleted_at').forUpdate().first('id');
        if (!pet) throw new NotFoundError(`no pet ${id}`);
        const open = await trx
          .withSchema(S)
          .table('reservation_items as i')
          .join('reservations as r', 'r.order_id', 'i.order_id')
          .where({ 'i.pet_id': id, 'r.status': 'RESERVED' })
          .first('r.order_id');
        if (open) throw new ConflictError(`pet ${id} is reserved by open orders; remove it once they are confirmed or cancelled`);
        await trx.withSchema(S).table('pets').where({ id }).update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now() });
      });
    },
    async restock(id, quantity) {
      if (!isUuid(id)) throw new NotFoundError(`no pet ${id}`);
      // One UPDATE adds to whatever the stock is at that moment (the row lock serialises concurrent restocks
      // and reservations), so no addition is lost the way a read-then-write would lose one.
      const [row] = (await pets()
        .where({ id })
        .where('stock', '<=', STOCK_CEILING - quantity)
        .update({ stock: db.raw('stock + ?', [quantity]), version: db.raw('version + 1'), updated_at: db.fn.now() })
        .returning('*')) as PetRow[];
      if (row) return toPet(row);
      const current = await pets().where({ id }).first('stock');
      if (!current) throw new NotFoundError(`no pet ${id}`);
      throw new ConflictError(`pet ${id} has ${current.stock} in stock: adding ${quantity} would pass the largest stock the catalogue can hold`);
    },
  };
}
