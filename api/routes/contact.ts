import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import { principalOf } from '../plugins/auth';
import type { ContactsPort } from '../ports';
import { AUTH_PROBLEMS, jsonResponse, problemResponses } from '../schemas/common';
import { ContactBodySchema, ContactViewSchema } from '../schemas/contact';

/** What the contact routes need. */
export interface ContactRoutesOptions {
  contacts: ContactsPort;
}

const own = { roles: [ROLE.customer] } as const;

/** The customer's own contact profile (email, name, channels), which Notification uses to reach them. */
export const contactRoutes: FastifyPluginAsyncTypebox<ContactRoutesOptions> = async (app, { contacts }) => {
  // A customer token always names its user (lib/auth refuses to issue one without).
  const customerOf = (principal: { userId?: string }) => principal.userId!;

  app.get(
    '/me/contact',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        operationId: 'getMyContact',
        summary: 'Your contact profile: where and how petstore reaches you',
        response: { 200: jsonResponse('Your contact profile', ContactViewSchema), ...problemResponses(...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const contact = await contacts.get(customerOf(principalOf(request)));
      if (!contact) throw new NotFoundError('you have no contact profile yet: PUT /me/contact with your email');
      return contact;
    },
  );

  app.put(
    '/me/contact',
    {
      config: own,
      schema: {
        tags: ['notifications'],
        operationId: 'putMyContact',
        summary: 'Set your contact profile (email, name, channels)',
        body: ContactBodySchema,
        response: { 200: jsonResponse('The contact profile as stored', ContactViewSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 413, 415, 429, 503) },
      },
    },
    async (request) => {
      const { email, name, channels } = request.body;
      return contacts.put(customerOf(principalOf(request)), { email, name: name ?? null, ...(channels ? { channels } : {}) });
    },
  );
};
