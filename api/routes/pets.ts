import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Pet } from '../../domain/pets';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import type { PetsPort } from '../ports';
import { AUTH_PROBLEMS, UNKNOWN_CURSOR, jsonResponse, pageQuery, problemResponses } from '../schemas/common';
import { IfMatchHeadersSchema, IfNoneMatchHeadersSchema, noneMatchHits, PetInputSchema, PetListQuerySchema, PetPageSchema, PetParamsSchema, PetSchema, RestockBodySchema } from '../schemas/pets';

/** What the pet routes need. */
export interface PetRoutesOptions {
  pets: PetsPort;
}

const adminOnly = { roles: [ROLE.admin] } as const;

/** A pet's ETag: its version, strong, so If-Match can compare it. */
export const petEtag = (pet: Pick<Pet, 'version'>): string => `"${pet.version}"`;

/** The version an If-Match names, or undefined for none or `*` (the schema has checked the form). */
export const ifMatchVersion = (header: string | undefined): number | undefined =>
  header === undefined || header === '*' ? undefined : Number(header.replace(/"/g, ''));

/** The catalogue: anyone reads it; only admin writes. */
export const petRoutes: FastifyPluginAsyncTypebox<PetRoutesOptions> = async (app, { pets }) => {
  app.get(
    '/pets',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pets'],
        operationId: 'listPets',
        summary: 'List pets',
        querystring: PetListQuerySchema,
        response: { 200: jsonResponse('A page of pets', PetPageSchema), ...problemResponses(400), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => {
      const { species, status, ...paging } = request.query;
      return pets.list({ ...pageQuery(paging), ...(species === undefined ? {} : { species }), ...(status === undefined ? {} : { status }) });
    },
  );

  app.get(
    '/pets/:id',
    {
      config: { access: 'public' },
      schema: {
        tags: ['pets'],
        operationId: 'getPet',
        summary: 'One pet (with its version as ETag)',
        params: PetParamsSchema,
        headers: IfNoneMatchHeadersSchema,
        response: {
          200: jsonResponse('The pet; its ETag is its version', PetSchema),
          304: Type.Null({ description: 'Not Modified: If-None-Match names the current version' }),
          ...problemResponses(400, 404, 414),
        },
      },
    },
    async (request, reply) => {
      const pet = await pets.get(request.params.id);
      if (!pet) throw new NotFoundError(`pet ${request.params.id} not found`);
      const etag = petEtag(pet);
      if (noneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).header('etag', etag).send(null);
      return reply.header('etag', etag).send(pet);
    },
  );

  app.post(
    '/pets',
    {
      config: adminOnly,
      schema: {
        tags: ['pets'],
        operationId: 'addPet',
        summary: 'Add a pet',
        body: PetInputSchema,
        response: { 201: jsonResponse('The pet added (Location names it, ETag is its version)', PetSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const pet = await pets.create(request.body);
      return reply.code(201).header('location', `/pets/${encodeURIComponent(pet.id)}`).header('etag', petEtag(pet)).send(pet);
    },
  );

  app.put(
    '/pets/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['pets'],
        operationId: 'updatePet',
        summary: 'Replace a pet\'s writable fields (If-Match: the version last seen)',
        params: PetParamsSchema,
        headers: IfMatchHeadersSchema,
        body: PetInputSchema,
        response: { 200: jsonResponse('The pet as updated, with its new version as ETag', PetSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 412, 413, 414, 415, 429) },
      },
    },
    async (request, reply) => {
      const pet = await pets.update(request.params.id, request.body, ifMatchVersion(request.headers['if-match']));
      return reply.header('etag', petEtag(pet)).send(pet);
    },
  );

  app.delete(
    '/pets/:id',
    {
      config: adminOnly,
      schema: {
        tags: ['pets'],
        operationId: 'removePet',
        summary: 'Remove a pet (refused while orders hold reservations on it)',
        params: PetParamsSchema,
        response: { 204: Type.Null({ description: 'Removed' }), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 409, 414, 429) },
      },
    },
    async (request, reply) => {
      await pets.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/pets/:id/restock',
    {
      config: adminOnly,
      schema: {
        tags: ['pets'],
        operationId: 'restockPet',
        summary: 'Add units to a pet\'s stock (atomic: concurrent restocks all count)',
        params: PetParamsSchema,
        body: RestockBodySchema,
        response: { 200: jsonResponse('The pet with its new stock and version', PetSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 409, 413, 414, 415, 429) },
      },
    },
    async (request, reply) => {
      const pet = await pets.restock(request.params.id, request.body.quantity);
      return reply.header('etag', petEtag(pet)).send(pet);
    },
  );
};
