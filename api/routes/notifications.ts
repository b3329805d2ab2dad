import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import { HttpProblem } from '../plugins/errors';
import { isStaff, mayAccess, principalOf, type Principal } from '../plugins/auth';
import type { NotificationsPort } from '../ports';
import { AUTH_PROBLEMS, UNKNOWN_CURSOR, jsonResponse, pageQuery, problemResponses } from '../schemas/common';
import { NotificationAcceptedSchema, NotificationListQuerySchema, NotificationPageSchema, NotificationRequestBodySchema } from '../schemas/notifications';

/** What the notification routes need. */
export interface NotificationRoutesOptions {
  notifications: NotificationsPort;
}

/** Whose notifications a list asks for: a customer's own by default; staff must name the user (or, see the route, the order). */
function listedUser(principal: Principal, requested: string | undefined): string {
  if (requested === undefined) {
    if (isStaff(principal) || !principal.userId) {
      throw new HttpProblem(400, 'support and admin must name the customer in userId or the order in orderId', {
        errors: [{ path: '/querystring/userId', message: 'is required (or orderId)' }],
      });
    }
    return principal.userId;
  }
  if (!mayAccess(principal, requested)) throw new NotFoundError(`user ${requested} not found`);
  return requested;
}

/** The internal send API (other petstore processes, role service) and the per-user list. */
export const notificationRoutes: FastifyPluginAsyncTypebox<NotificationRoutesOptions> = async (app, { notifications }) => {
  app.post(
    '/internal/notifications',
    {
      config: { roles: [ROLE.service], internal: true },
      schema: {
        // Other petstore processes call it on the internal listener; the public document does not list it.
        hide: true,
        tags: ['notifications'],
        summary: 'Queue a notification (internal: role service)',
        body: NotificationRequestBodySchema,
        response: { 202: NotificationAcceptedSchema, ...problemResponses(400, ...AUTH_PROBLEMS, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const { userId, kind, body, channel, orderId } = request.body;
      const queued = await notifications.request({ userId, kind, body, ...(channel === undefined ? {} : { channel }), ...(orderId === undefined ? {} : { orderId }) });
      return reply.code(202).send({ eventId: queued.eventId });
    },
  );

  app.get(
    '/notifications',
    {
      config: { roles: [ROLE.customer, ROLE.support] },
      schema: {
        tags: ['notifications'],
        operationId: 'listNotifications',
        summary: 'A customer\'s notifications, or an order\'s (customers: their own; userId may be left out; support: userId, orderId or both)',
        querystring: NotificationListQuerySchema,
        response: { 200: jsonResponse('A page of notifications', NotificationPageSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404), 422: UNKNOWN_CURSOR },
      },
    },
    async (request) => {
      const { userId: requested, orderId, ...paging } = request.query;
      const principal = principalOf(request);
      if (orderId === undefined) return notifications.listByUser(listedUser(principal, requested), pageQuery(paging));
      // Staff may name the order alone; a customer's orderId filter stays inside their own notifications,
      // so another customer's order lists nothing rather than revealing that it exists.
      const userId = isStaff(principal) && requested === undefined ? undefined : listedUser(principal, requested);
      return notifications.listByOrder(orderId, { ...pageQuery(paging), ...(userId === undefined ? {} : { userId }) });
    },
  );
};
