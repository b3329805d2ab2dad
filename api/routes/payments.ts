import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { SUPPORT_ACTION } from '../../domain/audit';
import { paymentTokenKind } from '../../domain/payments';
import { ROLE } from '../../lib/auth';
import { NotFoundError } from '../../lib/errors';
import { isStaff, mayAccess, principalOf } from '../plugins/auth';
import type { AuditPort, OrdersPort, PaymentsPort } from '../ports';
import { AUTH_PROBLEMS, IdempotencyHeaders, jsonResponse, problemResponse, problemResponses } from '../schemas/common';
import {
  PartialRefundBodySchema,
  PayBodySchema,
  PaymentListQuerySchema,
  PaymentListSchema,
  PaymentParamsSchema,
  PaymentRefundListSchema,
  PaymentRefundSchema,
  PaymentViewSchema,
  RefundBodySchema,
  RefundIdempotencyHeaders,
} from '../schemas/payments';
import { actorOf, supportOnly } from './support';

/** What the payment routes need: payments, orders to check whose order is being paid, and the audit of support's payments. */
export interface PaymentRoutesOptions {
  orders: OrdersPort;
  payments: PaymentsPort;
  audit: AuditPort;
}

const shoppers = { roles: [ROLE.customer, ROLE.support] } as const;

/** Pay (or retry paying) an order, read and list payments, and (support) refund in full or in part. A customer touches only their own; anyone else's is a 404. */
export const paymentRoutes: FastifyPluginAsyncTypebox<PaymentRoutesOptions> = async (app, { orders, payments, audit }) => {
  // Someone else's order answers exactly like a missing one, so ids cannot be probed.
  const visibleOrder = async (request: FastifyRequest, orderId: string) => {
    const order = await orders.get(orderId);
    if (!order || !mayAccess(principalOf(request), order.userId)) throw new NotFoundError(`order ${orderId} not found`);
    return order;
  };

  app.post(
    '/payments',
    {
      config: shoppers,
      schema: {
        tags: ['payments'],
        operationId: 'payOrder',
        summary: 'Pay an order awaiting payment (Idempotency-Key makes a retry safe)',
        headers: IdempotencyHeaders,
        body: PayBodySchema,
        response: { 200: jsonResponse('The payment: SUCCEEDED, FAILED or PENDING (idempotent-replayed: true on a replay)', PaymentViewSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 409, 413, 415, 429, 503), 422: problemResponse('The Idempotency-Key was already used with another body') },
      },
    },
    async (request, reply) => {
      const { orderId, paymentToken } = request.body;
      // Ownership first: charging someone else's order must look exactly like paying a missing one.
      await visibleOrder(request, orderId);
      const idempotencyKey = request.headers['idempotency-key'];
      const { payment, replayed } = await payments.pay({ orderId, paymentToken, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) });
      const principal = principalOf(request);
      if (isStaff(principal) && !replayed) {
        // Recorded right after the charge rather than inside it: the payment port's transaction is shared with
        // customers' payments and holds the gateway call, and a replay (the same Idempotency-Key) did nothing new.
        await audit.record({
          actor: actorOf(principal),
          action: SUPPORT_ACTION.retryPayment,
          orderId,
          paymentId: payment.id,
          details: { orderId, tokenKind: paymentTokenKind(paymentToken), status: payment.status },
        });
      }
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
        operationId: 'getPayment',
        summary: 'One payment',
        params: PaymentParamsSchema,
        response: { 200: jsonResponse('The payment', PaymentViewSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414) },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const payment = await payments.get(paymentId);
      if (!payment || !mayAccess(principalOf(request), payment.userId)) throw new NotFoundError(`payment ${paymentId} not found`);
      return payment;
    },
  );

  app.get(
    '/payments',
    {
      config: shoppers,
      schema: {
        tags: ['payments'],
        operationId: 'listPayments',
        summary: 'An order\'s payments (zero or one today)',
        querystring: PaymentListQuerySchema,
        response: { 200: jsonResponse('The order\'s payments', PaymentListSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404) },
      },
    },
    async (request) => {
      const { orderId } = request.query;
      await visibleOrder(request, orderId);
      return { items: await payments.listByOrder(orderId), nextCursor: null };
    },
  );

  app.post(
    '/payments/:paymentId/refund',
    {
      config: supportOnly,
      schema: {
        tags: ['payments'],
        operationId: 'refundPayment',
        summary: 'Refund what a payment still holds (all of it, or the rest after partial refunds); audited with the reason',
        params: PaymentParamsSchema,
        body: RefundBodySchema,
        response: {
          200: jsonResponse('The payment, refunded in full', PaymentViewSchema),
          ...problemResponses(400, ...AUTH_PROBLEMS, 404, 413, 414, 415, 429, 503),
          409: problemResponse('The payment holds nothing to refund: not captured, or refunded in full already'),
        },
      },
    },
    async (request) => payments.refund(request.params.paymentId, request.body.reason, actorOf(principalOf(request))),
  );

  app.post(
    '/payments/:paymentId/refunds',
    {
      config: supportOnly,
      schema: {
        tags: ['payments'],
        operationId: 'createPaymentRefund',
        summary: 'Refund part of a payment: an amount, or order lines at their captured prices (optionally restocked), or what remains; audited with the reason',
        description:
          'Never beyond what was captured minus earlier refunds. The payment becomes PARTIALLY_REFUNDED, or REFUNDED once nothing remains. ' +
          'Each refund needs its own Idempotency-Key: the same key and body answer the first refund again (idempotent-replayed: true).',
        params: PaymentParamsSchema,
        headers: RefundIdempotencyHeaders,
        body: PartialRefundBodySchema,
        response: {
          201: jsonResponse('The refund (the first one again on a replay, with idempotent-replayed: true)', PaymentRefundSchema),
          ...problemResponses(400, ...AUTH_PROBLEMS, 404, 413, 414, 415, 429, 503),
          409: problemResponse('The refund would go beyond what was captured minus earlier refunds, names lines not bought or already refunded, or the payment holds nothing to refund'),
          422: problemResponse('The Idempotency-Key was already used with another body'),
        },
      },
    },
    async (request, reply) => {
      const { amountCents, items, reason, restock } = request.body;
      const { refund, replayed } = await payments.createRefund({
        paymentId: request.params.paymentId,
        ...(amountCents === undefined ? {} : { amountCents }),
        ...(items === undefined ? {} : { items }),
        reason,
        restock: restock ?? false,
        requestedBy: actorOf(principalOf(request)),
        idempotencyKey: request.headers['idempotency-key'],
      });
      if (replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(refund);
    },
  );

  app.get(
    '/payments/:paymentId/refunds',
    {
      config: supportOnly,
      schema: {
        tags: ['payments'],
        operationId: 'listPaymentRefunds',
        summary: 'A payment\'s refunds, oldest first',
        params: PaymentParamsSchema,
        response: { 200: jsonResponse('The payment\'s refunds', PaymentRefundListSchema), ...problemResponses(400, ...AUTH_PROBLEMS, 404, 414) },
      },
    },
    async (request) => {
      const { paymentId } = request.params;
      const refunds = await payments.listRefunds(paymentId);
      if (!refunds) throw new NotFoundError(`payment ${paymentId} not found`);
      return { items: refunds };
    },
  );
};
