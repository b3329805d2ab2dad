import { Type } from 'typebox';
import { TEXT_PATTERN } from '../../domain/events';
import { PET_STATUS } from '../../domain/pets';
import { Cents, Currency, Id, Timestamp, nullable, pageOf, pageQueryFields } from './common';

/** A pet as the API shows it. */
export const PetSchema = Type.Object(
  {
    id: Id,
    name: Type.String(),
    species: Type.String(),
    breed: nullable(Type.String()),
    age: nullable(Type.Integer()),
    description: nullable(Type.String()),
    tags: Type.Array(Type.String()),
    priceCents: Cents,
    currency: Currency,
    stock: Type.Integer({ minimum: 0 }),
    status: Type.Enum(PET_STATUS, { description: 'derived from stock' }),
    version: Type.Integer({ minimum: 1, description: 'also the ETag; send it back in If-Match to update safely' }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Pet', description: 'A pet in the catalogue' },
);

const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: TEXT_PATTERN });

/** The writable fields of a pet: POST creates with them, PUT replaces them. Status, version and dates are the service's. */
export const PetInputSchema = Type.Object(
  {
    name: Text(100),
    species: Text(50),
    breed: Type.Optional(nullable(Text(100))),
    age: Type.Optional(nullable(Type.Integer({ minimum: 0, maximum: 100, description: 'in years' }))),
    description: Type.Optional(nullable(Text(2000))),
    tags: Type.Optional(Type.Array(Text(30), { maxItems: 20, uniqueItems: true })),
    priceCents: Type.Integer({ minimum: 0, maximum: 100_000_000 }),
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; the service picks the default' })),
    stock: Type.Integer({ minimum: 0, maximum: 1_000_000 }),
  },
  { $id: 'PetInput', additionalProperties: false, description: 'The writable fields of a pet' },
);
/** GET /pets filters and paging. */
export const PetListQuerySchema = Type.Object(
  {
    species: Type.Optional(Text(50)),
    status: Type.Optional(Type.Enum(PET_STATUS)),
    ...pageQueryFields,
  },
  { additionalProperties: false },
);

/** A page of pets. */
export const PetPageSchema = pageOf(PetSchema, 'PetPage', 'A page of pets, oldest first');

/** The :id of /pets/:id. */
export const PetParamsSchema = Type.Object({ id: Id }, { additionalProperties: false });

/** PUT's optional If-Match: the version the client last saw, as `"3"` or `3` (or `*` for any). */
export const IfMatchHeadersSchema = Type.Object({
  'if-match': Type.Optional(Type.String({ pattern: '^(\\*|"[0-9]{1,15}"|[0-9]{1,15})$', description: 'the ETag (version) last seen; a stale one is a 412' })),
});

/** GET /pets/:id's optional If-None-Match: the ETags the client holds; a match is a 304 without a body. */
export const IfNoneMatchHeadersSchema = Type.Object({
  'if-none-match': Type.Optional(Type.String({ maxLength: 1000, description: 'ETags (versions) already held, or *; a match is a 304 Not Modified' })),
});

/** Whether an If-None-Match header names this ETag (RFC 9110 §13.1.2: weak comparison, a list, or *). */
export const noneMatchHits = (header: string | undefined, etag: string): boolean =>
  header !== undefined && header.split(',').some((tag) => {
    const given = tag.trim().replace(/^W\//, '');
    return given === '*' || given === etag;
  });

/** POST /pets/:id/restock: how many units to add to the stock. */
export const RestockBodySchema = Type.Object(
  { quantity: Type.Integer({ minimum: 1, maximum: 100_000, description: 'units to add' }) },
  { $id: 'RestockRequest', additionalProperties: false, description: 'How many units to add to a pet\'s stock' },
);
