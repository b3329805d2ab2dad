import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import { mayAccess, principalOf } from '../plugins/auth';
import type { OrdersPort, PaymentsPort } from '../ports';
import { AUTH_PROBLEMS, IdempotencyHeaders, problemResponses } from '../schemas/common';
import { PayBodySchema, PaymentParamsSchema, PaymentViewSchema } from '../schemas/payments';

/** What the payment routes need: payments, and orders to check whose order is being paid. */
export interface PaymentRoutesOptions {
  orders: OrdersPort;
  payments: PaymentsPort;
}

const shoppers = { roles: [ROLE.customer, ROLE.support] } as const;

/** Pay (or retry paying) an order, and read a payment. A customer touches only their own; anyone else's is a 404. */
export const paymentRoutes: FastifyPluginAsyncTypebox<PaymentRoutesOptions> = async (app, { orders, payments }) => {
  app.post(
    '/payments',
    {
      config: shoppers,
      schema: {
        tags: ['payments'],
        summary: 'Pay an order awaiting payment (Idempotency-Key makes a retry safe)',
        headers: IdempotencyHeaders,
        body: PayBodySchema,
        response: { 200: PaymentViewSchema, ...problemResponses(400, ...AUTH_PROBLEMS, 404, 409, 413, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const { orderId, paymentToken } = request.body;
      // Ownership first: charging someone else's order must look exactly like paying a missing one.
      const order = await orders.get(orderId);
      if (!order || !mayAccess(principalOf(request), order.userId)) throw new NotFoundError(`order ${orderId} not found`);
      const idempotencyKey = request.headers['idempotency-key'];
      const { payment, replayed } = await payments.pay({ orderId, paymentToken, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(200).send(payment);
    },
  );

  app.get(
    '/payments/:paymentId',
    {
      config: shoppers,
      schema: {
        tags: ['payments'],
        summary: 'One payment',
        params: PaymentParamsSchema,
        response: { 200: PaymentViewSchema, ...problemResponses(400, ...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const payment = await payments.get(paymentId);
      if (!payment || !mayAccess(principalOf(request), payment.userId)) throw new NotFoundError(`payment ${paymentId} not found`);
      return payment;
    },
  );
};
