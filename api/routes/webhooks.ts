import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import { principalOf, type Principal } from '../plugins/auth';
import type { WebhookOwner, WebhooksPort } from '../ports';
import { AUTH_PROBLEMS, UNKNOWN_CURSOR, jsonResponse, pageQuery, problemResponse, problemResponses } from '../schemas/common';
import {
  CreatedWebhookSubscriptionSchema,
  WebhookDeliveryPageSchema,
  WebhookDeliveryParamsSchema,
  WebhookDeliverySchema,
  WebhookPageQuerySchema,
  WebhookParamsSchema,
  WebhookSubscriptionInputSchema,
  WebhookSubscriptionPageSchema,
  WebhookSubscriptionSchema,
} from '../schemas/webhooks';

/** What the webhook routes need. */
export interface WebhookRoutesOptions {
  webhooks: WebhooksPort;
}

// Customers hear of their own orders; admins subscribe for integrators, to every order's events.
const owners = { roles: [ROLE.customer, ROLE.admin] } as const;

/** The caller as a subscription owner: a token always has a subject (lib/auth), and the role decides the scope. */
const ownerOf = (principal: Principal): WebhookOwner => ({
  userId: principal.userId ?? principal.role,
  scope: principal.role === ROLE.admin ? 'all-orders' : 'own-orders',
});

const TAGS = ['webhooks'];

/** The caller's webhook subscriptions: create (with a verification handshake), list, look up, delete, verify again, the delivery log, replay. */
export const webhookRoutes: FastifyPluginAsyncTypebox<WebhookRoutesOptions> = async (app, { webhooks }) => {
  app.post(
    '/me/webhooks',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'createWebhookSubscription',
        summary: 'Subscribe an endpoint to order and payment events (answers the signing secret, once)',
        description:
          'The subscription starts PENDING_VERIFICATION: petstore POSTs a signed `webhook.verification` request whose `data.challenge` the ' +
          'endpoint must echo (`{"challenge":"..."}`, 2xx); until then it gets no deliveries. Customers hear of their own orders, admins of every order.',
        body: WebhookSubscriptionInputSchema,
        response: {
          201: jsonResponse('The subscription, with its signing secret (shown only now)', CreatedWebhookSubscriptionSchema),
          ...problemResponses(400, ...AUTH_PROBLEMS, 413, 415, 429, 503),
          422: problemResponse('The URL is refused by the webhook URL policy (https only; no private, loopback or metadata address), or you have as many subscriptions as one owner may'),
        },
      },
    },
    async (request, reply) => {
      const { url, eventTypes, description } = request.body;
      const created = await webhooks.create(ownerOf(principalOf(request)), { url, eventTypes, description: description ?? null });
      return reply.code(201).header('location', `/me/webhooks/${created.id}`).send(created);
    },
  );

  app.get(
    '/me/webhooks',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'listWebhookSubscriptions',
        summary: 'Your webhook subscriptions, newest first',
        querystring: WebhookPageQuerySchema,
        response: { 200: jsonResponse('A page of your subscriptions', WebhookSubscriptionPageSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 429), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => webhooks.list(ownerOf(principalOf(request)).userId, pageQuery(request.query)),
  );

  app.get(
    '/me/webhooks/:id',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'getWebhookSubscription',
        summary: 'One of your webhook subscriptions, with its verification state',
        params: WebhookParamsSchema,
        response: { 200: jsonResponse('The subscription', WebhookSubscriptionSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 429) },
      },
    },
    async (request) => {
      const subscription = await webhooks.get(ownerOf(principalOf(request)).userId, request.params.id);
      if (!subscription) throw new NotFoundError(`webhook subscription ${request.params.id} not found`);
      return subscription;
    },
  );

  app.delete(
    '/me/webhooks/:id',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'deleteWebhookSubscription',
        summary: 'Delete one of your webhook subscriptions (and its delivery log)',
        params: WebhookParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 429) },
      },
    },
    async (request, reply) => {
      await webhooks.remove(ownerOf(principalOf(request)).userId, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/me/webhooks/:id/verify',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'verifyWebhookSubscription',
        summary: 'Send a new verification challenge (also re-enables a DISABLED subscription once echoed)',
        params: WebhookParamsSchema,
        response: { 202: jsonResponse('The subscription, PENDING_VERIFICATION until the endpoint echoes the challenge', WebhookSubscriptionSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 429) },
      },
    },
    async (request, reply) => reply.code(202).send(await webhooks.verify(ownerOf(principalOf(request)).userId, request.params.id)),
  );

  app.get(
    '/me/webhooks/:id/deliveries',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log of one of your subscriptions: each delivery and its tries, newest first (no bodies, no secret)',
        params: WebhookParamsSchema,
        querystring: WebhookPageQuerySchema,
        response: { 200: jsonResponse('A page of deliveries', WebhookDeliveryPageSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 429), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => webhooks.deliveries(ownerOf(principalOf(request)).userId, request.params.id, pageQuery(request.query)),
  );

  app.post(
    '/me/webhooks/deliveries/:deliveryId/replay',
    {
      config: owners,
      schema: {
        tags: TAGS,
        operationId: 'replayWebhookDelivery',
        summary: 'Deliver a finished delivery again (same webhook-id, so receivers can deduplicate)',
        params: WebhookDeliveryParamsSchema,
        response: {
          202: jsonResponse('The new delivery, queued', WebhookDeliverySchema),
          ...problemResponses(400, ...AUTH_PROBLEMS, 404, 429),
          409: problemResponse('The delivery is still pending, is a verification request, or its subscription is not ACTIVE'),
        },
      },
    },
    async (request, reply) => reply.code(202).send(await webhooks.replay(ownerOf(principalOf(request)).userId, request.params.deliveryId)),
  );
};
