import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { orderWorkflowId, type CancelActor } from '../../domain/orders';
import { ROLE } from '../../lib/auth';
import type { Config } from '../../lib/config';
import { NotFoundError } from '../../lib/errors';
import { temporalUiLink } from '../../lib/temporal';
import { callerGone } from '../plugins/admission';
import { HttpProblem } from '../plugins/errors';
import { isStaff, mayAccess, principalOf, type Principal } from '../plugins/auth';
import { OrderHistorySchema } from '../../domain/order-history';
import type { AuditPort, OrderHistoryPort, OrdersPort, OrderView } from '../ports';
import { AuditListSchema } from '../schemas/audit';
import { AUTH_PROBLEMS, IdempotencyHeaders, UNKNOWN_CURSOR, jsonResponse, pageQuery, problemResponse, problemResponses } from '../schemas/common';
import {
  CancelBodySchema,
  OrderAcceptedSchema,
  OrderListQuerySchema,
  OrderPageSchema,
  OrderParamsSchema,
  OrderSearchQuerySchema,
  OrderViewSchema,
  PlaceOrderBodySchema,
  RenotifyAcceptedSchema,
  RenotifyBodySchema,
  UserParamsSchema,
  type OrderLinksSchema,
} from '../schemas/orders';
import { actorOf, missingBodyAsEmpty, supportOnly } from './support';

/** What the order routes need: orders, and the audit for an order's support history. */
export interface OrderRoutesOptions {
  config: Config;
  orders: OrdersPort;
  audit: AuditPort;
  history: OrderHistoryPort;
}

const shoppers = { roles: [ROLE.customer, ROLE.support] } as const;

// POST /orders' business refusals: both depend on what was sent before, which no request schema can say.
const HOLD_CAP_OR_KEY_REUSED = problemResponse(
  'The customer would hold more units in open orders than the per-customer cap allows (pay or cancel one first), or the Idempotency-Key was already used with another body',
);

/** Where to follow an order: its URL here and, for staff only (it names our infrastructure), its saga in the Temporal UI. */
export const orderLinks = (config: Config, orderId: string, principal: Principal): Static<typeof OrderLinksSchema> => ({
  self: `/orders/${encodeURIComponent(orderId)}`,
  ...(isStaff(principal) ? { temporal: temporalUiLink(config, orderWorkflowId(orderId)) } : {}),
});

/** Whose order a request places: a customer's own (the token's subject); support and admin name the customer. */
function orderOwner(principal: Principal, requested: string | undefined): string {
  if (isStaff(principal)) {
    if (requested === undefined) {
      throw new HttpProblem(400, 'support and admin must name the customer in userId', { errors: [{ path: '/body/userId', message: 'is required' }] });
    }
    return requested;
  }
  // The subject comes from the token; a customer may not order in anyone's name, not even their own spelled out.
  // The body is well-formed (support may send the same one): what is refused is this role setting the field, a 403.
  if (requested !== undefined) {
    throw new HttpProblem(403, '/body/userId is not allowed: a customer orders as the token\'s user', { errors: [{ path: '/body/userId', message: 'is not allowed' }] });
  }
  if (!principal.userId) throw new Error('a customer principal always has a user id (checked when the token was verified)');
  return principal.userId;
}

/**
 * Orders: place (starts the saga), read, list by user, cancel; for support also list all, renotify and
 * read the audit. A customer sees only their own; anyone else's is a 404.
 */
export const orderRoutes: FastifyPluginAsyncTypebox<OrderRoutesOptions> = async (app, { config, orders, audit, history }) => {
  const withLinks = (principal: Principal) => (order: OrderView) => ({ ...order, links: orderLinks(config, order.id, principal) });

  // Someone else's order answers exactly like a missing one, so ids cannot be probed.
  const visibleOrder = async (principal: Principal, orderId: string): Promise<OrderView> => {
    const order = await orders.get(orderId);
    if (!order || !mayAccess(principal, order.userId)) throw new NotFoundError(`order ${orderId} not found`);
    return order;
  };

  app.post(
    '/orders',
    {
      config: { ...shoppers, admission: 'saga' },
      schema: {
        tags: ['orders'],
        operationId: 'placeOrder',
        summary: 'Place an order (starts its saga; answers 202)',
        headers: IdempotencyHeaders,
        body: PlaceOrderBodySchema,
        response: { 202: jsonResponse('Accepted: the order is placed and its saga runs (Location names the order)', OrderAcceptedSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 409, 413, 415, 429, 503), 422: HOLD_CAP_OR_KEY_REUSED },
      },
    },
    async (request, reply) => {
      const { items, paymentToken, userId: requested } = request.body;
      const userId = orderOwner(principalOf(request), requested);
      const idempotencyKey = request.headers['idempotency-key'];
      // Nobody is waiting any more (connection closed, deadline passed): placing the order would charge a customer who gave up.
      if (callerGone(request)) {
        request.log.info('caller gone before the order was placed; nothing done');
        throw new HttpProblem(503, 'The request\'s deadline passed before the order could be placed; nothing was done.', { headers: { 'retry-after': '1' } });
      }
      const placed = await orders.place({ userId, items, paymentToken, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }, { abandoned: () => callerGone(request) });
      // The request id (reqId) meets the order and its saga here: support can follow one into the other.
      request.log.info({ orderId: placed.orderId, workflowId: orderWorkflowId(placed.orderId) }, 'order placed');
      const links = orderLinks(config, placed.orderId, principalOf(request));
      return reply.code(202).header('location', links.self).send({ orderId: placed.orderId, status: placed.status, links });
    },
  );

  app.get(
    '/orders/:orderId',
    {
      config: shoppers,
      schema: {
        tags: ['orders'],
        operationId: 'getOrder',
        summary: 'One order',
        params: OrderParamsSchema,
        response: { 200: jsonResponse('The order', OrderViewSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414) },
      },
    },
    async (request) => withLinks(principalOf(request))(await visibleOrder(principalOf(request), request.params.orderId)),
  );

  app.get(
    '/orders/user/:userId',
    {
      config: shoppers,
      schema: {
        tags: ['orders'],
        operationId: 'listUserOrders',
        summary: 'A customer\'s orders, newest first',
        params: UserParamsSchema,
        querystring: OrderListQuerySchema,
        response: { 200: jsonResponse('A page of the customer\'s orders', OrderPageSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => {
      const { userId } = request.params;
      if (!mayAccess(principalOf(request), userId)) throw new NotFoundError(`user ${userId} not found`);
      const page = await orders.listByUser(userId, pageQuery(request.query));
      return { items: page.items.map(withLinks(principalOf(request))), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/orders',
    {
      config: supportOnly,
      schema: {
        tags: ['orders'],
        operationId: 'searchOrders',
        summary: 'Every customer\'s orders, newest first, by status, creation time and customer',
        querystring: OrderSearchQuerySchema,
        response: { 200: jsonResponse('A page of the orders found', OrderPageSchema), ...problemResponses(400, ...AUTH_PROBLEMS), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => {
      const { status, since, userId, ...paging } = request.query;
      const page = await orders.list({
        ...pageQuery(paging),
        ...(status === undefined ? {} : { status }),
        // As UTC: Postgres refuses an offset beyond ±15:59 that RFC 3339 (and the schema) allow, a 500 for a valid request.
        ...(since === undefined ? {} : { since: new Date(since).toISOString() }),
        ...(userId === undefined ? {} : { userId }),
      });
      return { items: page.items.map(withLinks(principalOf(request))), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/orders/:orderId/cancel',
    {
      config: { ...shoppers, admission: 'saga' },
      preValidation: missingBodyAsEmpty,
      schema: {
        tags: ['orders'],
        operationId: 'cancelOrder',
        summary: 'Cancel an order (customers: before payment; support: any time, audited with the reason)',
        params: OrderParamsSchema,
        body: CancelBodySchema,
        response: { 200: jsonResponse('The order, cancelled', OrderViewSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 409, 413, 414, 415, 429, 503) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { orderId } = request.params;
      const { reason } = request.body;
      await visibleOrder(principal, orderId);
      const actor: CancelActor = isStaff(principal) ? 'support' : 'customer';
      return withLinks(principal)(await orders.cancel({ orderId, actor, requestedBy: actorOf(principal), ...(reason === undefined ? {} : { reason }) }));
    },
  );

  app.post(
    '/orders/:orderId/renotify',
    {
      config: supportOnly,
      preValidation: missingBodyAsEmpty,
      schema: {
        tags: ['orders'],
        operationId: 'renotifyOrder',
        summary: 'Send the customer a fresh notification of the order\'s current status (answers 202)',
        params: OrderParamsSchema,
        body: RenotifyBodySchema,
        response: { 202: jsonResponse('Accepted: the notification is queued', RenotifyAcceptedSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 413, 414, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { orderId } = request.params;
      const { reason } = request.body;
      const queued = await orders.renotify({ orderId, requestedBy: actorOf(principalOf(request)), ...(reason === undefined ? {} : { reason }) });
      return reply.code(202).send({ eventId: queued.eventId });
    },
  );

  app.get(
    '/orders/:orderId/history',
    {
      config: shoppers,
      schema: {
        tags: ['orders'],
        operationId: 'getOrderHistory',
        summary: 'One order\'s history from the event topics: status timeline, items, amounts, payment attempts, refunds, restocks, notifications',
        params: OrderParamsSchema,
        response: { 200: jsonResponse('The order\'s history, as the order-history projection built it from the events', OrderHistorySchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      // Whose it is, the events say; someone else's answers like a missing one.
      const found = await history.find(orderId);
      if (!found || !mayAccess(principalOf(request), found.userId ?? '')) throw new NotFoundError(`order ${orderId} has no history`);
      return found;
    },
  );

  app.get(
    '/orders/:orderId/audit',
    {
      config: supportOnly,
      schema: {
        tags: ['orders'],
        operationId: 'getOrderAudit',
        summary: 'What support did to an order: who, when, what and why, oldest first',
        params: OrderParamsSchema,
        response: { 200: jsonResponse('The order\'s support actions', AuditListSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414) },
      },
    },
    async (request) => {
      const { orderId } = request.params;
      if (!(await orders.get(orderId))) throw new NotFoundError(`order ${orderId} not found`);
      return { items: await audit.listByOrder(orderId) };
    },
  );
};
