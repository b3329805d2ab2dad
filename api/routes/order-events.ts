import { PassThrough } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { TERMINAL_ORDER_STATUSES } from '../../domain/orders';
import { ROLE } from '../../lib/auth';
import type { Config } from '../../lib/config';
import { NotFoundError } from '../../lib/errors';
import { mayAccess, principalOf } from '../plugins/auth';
import { HttpProblem } from '../plugins/errors';
import type { OrderStatusFeedPort, OrdersPort, OrderView } from '../ports';
import { AUTH_PROBLEMS, problemResponses } from '../schemas/common';
import { OrderParamsSchema } from '../schemas/orders';
import { orderLinks } from './orders';

/** What the order event stream needs: the orders, the status feed, and the stream limits. */
export interface OrderEventRoutesOptions {
  config: Config;
  orders: OrdersPort;
  orderStatusFeed?: OrderStatusFeedPort;
}

/** A comment line this often keeps proxies and browsers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** A stream ends after this long (the client reconnects and gets the current state): no connection lives for ever. */
export const MAX_STREAM_MS = 10 * 60_000;
/** How long a client waits before reconnecting, told in the stream's `retry:` field. */
const RETRY_MS = 2000;

const frame = (event: string, data: unknown, id?: string) => `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * GET /orders/:orderId/events: the order as server-sent events, one `order` event with the current
 * state and another after each committed status change, ending after CONFIRMED or CANCELLED. Fed by
 * the database's notifications (no polling); streams are bounded per process and per customer.
 */
export const orderEventRoutes: FastifyPluginAsyncTypebox<OrderEventRoutesOptions> = async (app, { config, orders, orderStatusFeed }) => {
  const open = new Set<() => void>();
  const perUser = new Map<string, number>();
  // Shutdown waits for open requests: end every stream first (clients reconnect to another instance).
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get(
    '/orders/:orderId/events',
    {
      config: { roles: [ROLE.customer, ROLE.support] },
      schema: {
        tags: ['orders'],
        operationId: 'followOrder',
        summary: 'Follow an order live (server-sent events until CONFIRMED or CANCELLED)',
        description:
          'text/event-stream: an `order` event (the order as GET /orders/:orderId answers it) now and after every status change; the stream ends after a final status, or after 10 minutes (reconnect).',
        params: OrderParamsSchema,
        produces: ['text/event-stream'],
        response: {
          200: {
            description: 'The order\'s events, one per status',
            content: {
              // Each server-sent event, as a client's parser hands it over: its name and its data (the order, as JSON).
              'text/event-stream': {
                schema: {
                  type: 'object',
                  properties: { event: { type: 'string' }, data: { type: 'string', description: 'the order, as GET /orders/{orderId} answers it (JSON)' }, id: { type: 'string' }, retry: { type: 'integer' } },
                  required: ['data'],
                },
              },
            },
          },
          ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const { orderId } = request.params;
      const first = await orders.get(orderId);
      // Someone else's order answers exactly like a missing one, as GET /orders/:orderId does.
      if (!first || !mayAccess(principal, first.userId)) throw new NotFoundError(`order ${orderId} not found`);
      if (!orderStatusFeed) throw new HttpProblem(503, 'Live order events are not available on this server; read GET /orders/:orderId instead.', { headers: { 'retry-after': '30' } });
      if (open.size >= config.orderEvents.maxStreams) {
        throw new HttpProblem(503, 'Too many live order streams are open on this server; try again shortly.', { headers: { 'retry-after': '5' } });
      }
      const owner = principal.userId ?? principal.role;
      if ((perUser.get(owner) ?? 0) >= config.orderEvents.maxStreamsPerUser) {
        throw new HttpProblem(429, `At most ${config.orderEvents.maxStreamsPerUser} live order streams may be open at once per customer; close one first.`, { headers: { 'retry-after': '5' } });
      }

      const stream = new PassThrough();
      let last = '';
      let ended = false;
      let reading = false;
      let again = false;
      const send = (order: OrderView) => {
        const key = `${order.status}|${order.updatedAt}`;
        if (key === last) return;
        last = key;
        stream.write(frame('order', { ...order, links: orderLinks(config, order.id, principal) }, order.updatedAt));
        if (TERMINAL_ORDER_STATUSES.includes(order.status)) end();
      };
      // One read at a time; a change that arrives during a read is read once more afterwards.
      const refresh = async () => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const order = await orders.get(orderId);
            if (ended) return;
            if (order) send(order);
          } while (again && !ended);
        } catch (error) {
          request.log.warn({ orderId, err: (error as Error).message }, 'order stream: reading the order failed; ending the stream');
          end();
        } finally {
          reading = false;
        }
      };

      let unsubscribe: (() => void) | undefined;
      const heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), HEARTBEAT_MS);
      const lifetime = setTimeout(() => end(), MAX_STREAM_MS);
      function end() {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        unsubscribe?.();
        open.delete(end);
        const left = (perUser.get(owner) ?? 1) - 1;
        if (left > 0) perUser.set(owner, left);
        else perUser.delete(owner);
        stream.end();
      }
      open.add(end);
      perUser.set(owner, (perUser.get(owner) ?? 0) + 1);
      request.raw.on('close', end);

      try {
        // Listen first, then read: a change committed in between is seen by the read or notified after it.
        unsubscribe = await orderStatusFeed.subscribe(orderId, () => void refresh());
      } catch (error) {
        end();
        request.log.warn({ orderId, err: (error as Error).message }, 'order stream: the status feed is not available');
        throw new HttpProblem(503, 'Live order events are not available right now; try again shortly.', { headers: { 'retry-after': '5' } });
      }
      if (ended) unsubscribe();
      stream.write(`retry: ${RETRY_MS}\n\n`);
      void refresh();
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        // The 200's schema documents the stream for OpenAPI; Fastify pipes a stream as it is, unserialised.
        .send(stream as unknown as { data: string });
    },
  );
};
