import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ServiceError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Knex } from 'knex';
import { cancelOrderRow } from '../../activities/orders';
import type { OrdersPort, OrderView } from '../../api/ports';
import { SUPPORT_ACTION } from '../../domain/audit';
import { CANCEL_REASON, OPEN_ORDER_STATUSES, ORDER_STATUS, type CancelActor, type CancelReason, type CompensationStatus, type OrderStatus } from '../../domain/orders';
import { mergeItems } from '../../domain/pricing';
import { CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../../domain/search-attributes';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import type { Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics';
import { ConflictError, NotFoundError, UnavailableError, UnprocessableError } from '../../lib/errors';
import { createTemporalGate } from './temporal-gate';
import { isUuid } from '../../lib/ids';
import { paymentTokenKeys, requestHashKey } from '../../lib/keyring';
import { requestHash as hmacOf, sealPaymentToken } from '../../lib/payment-token';
import { cancelUpdate, ORDER_SAGA, orderWorkflowId, placedUpdate, SAGA_FAILURES, type OrderSagaInput } from '../../workflows/definitions';
import type { orderSaga } from '../../workflows';
import { recordSupportAction } from '../audit/audit';
import { pageQuery, toPage } from '../paging';
import { ORDER_STATUS_NOTIFICATION_KIND, orderStatusMessage } from './status-message';

const S = 'orders';

interface OrderRow {
  id: string;
  user_id: string;
  status: OrderStatus;
  cancel_reason: CancelReason | null;
  total_cents: string | null;
  currency: string | null;
  payment_id: string | null;
  compensation: CompensationStatus | null;
  request_hash: string | null;
  created_at: Date;
  updated_at: Date;
}

/** The order id an Idempotency-Key stands for: the same key from the same customer always names the same order. */
function orderIdFor(userId: string, idempotencyKey: string): string {
  const hex = createHash('sha256').update(`${userId}\0${idempotencyKey}`).digest('hex');
  // Shaped as an RFC 9562 version-8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const failureType = (error: unknown): string | undefined => {
  for (let cause = error; cause instanceof Error; cause = (cause as Error & { cause?: unknown }).cause) {
    if (cause instanceof ApplicationFailure) return cause.type ?? undefined;
  }
  return undefined;
};

// gRPC FAILED_PRECONDITION on an update: Temporal refused it because it reached the saga while a workflow
// task was completing it ("unexpected workflow task failure"), e.g. an inventory answer closing the order.
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_NOT_FOUND = 5;
const refusedWhileBusy = (error: unknown): boolean =>
  error instanceof ServiceError && (error.cause as { code?: unknown } | undefined)?.code === GRPC_FAILED_PRECONDITION;

/** Sends an update again, a few times and briefly, while Temporal refuses it because the saga's workflow task is busy. */
async function retryWhileBusy<T>(send: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= attempts || !refusedWhileBusy(error)) throw error;
      await sleep(50 * attempt);
    }
  }
}

const messageOf = (error: unknown): string => {
  for (let cause = error; cause instanceof Error; cause = (cause as Error & { cause?: unknown }).cause) {
    if (cause instanceof ApplicationFailure) return cause.message;
  }
  return error instanceof Error ? error.message : String(error);
};

/** Order's side of the REST API: places orders by starting their sagas, reads, lists, cancels and renotifies them. */
export function createOrdersRepository({
  db,
  temporal,
  config,
  metrics,
  logger,
}: {
  db: Knex;
  temporal: () => Promise<Client>;
  config: Config;
  metrics?: Metrics;
  logger?: Logger;
}): OrdersPort {
  // Resolved once: on the local stack they come from files in the data folder.
  const tokenKeys = paymentTokenKeys(config);
  const hashKey = requestHashKey(config);
  const temporalGate = createTemporalGate({
    address: config.temporal.address,
    // Through the frontend to a history shard, as a saga start goes: a frontend that is stopping or
    // starting answers getSystemInfo while it cannot start anything. A healthy one says "not found".
    probe: async () => {
      try {
        const client = await temporal();
        await client.connection.withDeadline(Date.now() + 1000, () =>
          client.workflowService.describeWorkflowExecution({ namespace: config.temporal.namespace, execution: { workflowId: 'petstore-probe' } }),
        );
        return true;
      } catch (error) {
        return (error as { code?: unknown }).code === GRPC_NOT_FOUND;
      }
    },
    ...(logger ? { logger } : {}),
  });

  async function view(orderId: string): Promise<OrderView | undefined> {
    if (!isUuid(orderId)) return undefined;
    const row = (await db.withSchema(S).table('orders').where({ id: orderId }).first()) as OrderRow | undefined;
    if (!row) return undefined;
    const [withItems] = await withOrderItems([row]);
    return withItems;
  }

  async function withOrderItems(rows: OrderRow[]): Promise<OrderView[]> {
    const items: { order_id: string; pet_id: string; quantity: number; unit_price_cents: number | null }[] = rows.length
      ? await db.withSchema(S).table('order_items').whereIn('order_id', rows.map((r) => r.id)).orderBy('pet_id')
      : [];
    return rows.map((row) => ({
      id: row.id,
      userId: row.user_id,
      status: row.status,
      cancelReason: row.cancel_reason,
      items: items.filter((i) => i.order_id === row.id).map((i) => ({ petId: i.pet_id, quantity: i.quantity, unitPriceCents: i.unit_price_cents })),
      totalCents: row.total_cents === null ? null : Number(row.total_cents),
      currency: row.currency,
      paymentId: row.payment_id,
      compensation: row.compensation ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
  }

  async function cancel(input: { orderId: string; actor: CancelActor; requestedBy: string; reason?: string }): Promise<OrderView> {
    const { orderId, actor, requestedBy, reason } = input;
    const order = await view(orderId);
    if (!order) throw new NotFoundError(`no order ${orderId}`);
    if (order.status === ORDER_STATUS.CANCELLED) return order;
    const audit = (previousStatus: OrderStatus, via: 'saga' | 'compensation') => async (trx: Knex | Knex.Transaction) => {
      await recordSupportAction(trx, { actor: requestedBy, action: SUPPORT_ACTION.forceCancel, orderId, reason: reason ?? null, details: { previousStatus, via } });
    };
    if (order.status === ORDER_STATUS.CONFIRMED) {
      if (actor !== 'support') throw new ConflictError('the order is confirmed and paid: ask support to cancel it');
      // The saga has finished; the one compensation event does the rest (restock, refund). The audit entry
      // commits with the cancel, so a force-cancel is never without its record.
      if (await cancelOrderRow(db, { orderId, reason: CANCEL_REASON.CANCELLED_BY_SUPPORT }, audit(order.status, 'compensation'))) {
        metrics?.cancellations.inc({ reason: CANCEL_REASON.CANCELLED_BY_SUPPORT });
      }
      return (await view(orderId))!;
    }
    const client = await temporal();
    try {
      const handle = client.workflow.getHandle(orderWorkflowId(orderId));
      await retryWhileBusy(() => handle.executeUpdate(cancelUpdate, { args: [{ actor, requestedBy }] }));
    } catch (error) {
      if (failureType(error) === SAGA_FAILURES.cancelNotAllowed) {
        const now = await view(orderId);
        if (now?.status === ORDER_STATUS.CONFIRMED && actor === 'support') return cancel(input);
        if (now?.status === ORDER_STATUS.CANCELLED) return now;
        throw new ConflictError(messageOf(error));
      }
      // The saga ended on its own while the cancel was on its way (an inventory or payment answer won the
      // race): answer from where it ended, as a cancel that arrived a moment later would have.
      if (error instanceof WorkflowNotFoundError || refusedWhileBusy(error)) {
        const now = await view(orderId);
        if (now?.status === ORDER_STATUS.CANCELLED) return now;
        if (now?.status === ORDER_STATUS.CONFIRMED) {
          if (actor === 'support') return cancel(input);
          throw new ConflictError('the order is confirmed and paid: ask support to cancel it');
        }
      }
      if (error instanceof WorkflowNotFoundError) throw new ConflictError(`order ${orderId} has no running saga`);
      throw error;
    }
    const cancelled = (await view(orderId))!;
    // The saga's cancelOrder activity wrote the state change in its own transaction, which this process
    // cannot join; the update returns once that has committed, so the entry is recorded right after it.
    if (actor === 'support' && cancelled.status === ORDER_STATUS.CANCELLED) await audit(order.status, 'saga')(db);
    return cancelled;
  }

  /**
   * Cancels an order whose caller gave up before it was accepted (no Idempotency-Key, so no safe retry
   * either): as the customer would, before any payment. The saga may start a moment after a timed-out call,
   * so the order is looked for a few times.
   */
  async function cancelAbandoned(orderId: string, userId: string): Promise<void> {
    for (let attempt = 1; attempt <= 10; attempt++) {
      try {
        const order = await view(orderId);
        if (order) {
          const after = await cancel({ orderId, actor: 'customer', requestedBy: userId });
          return logger?.info({ orderId, status: after.status }, 'order cancelled: its caller left before it was accepted');
        }
      } catch (error) {
        if (error instanceof ConflictError) return logger?.warn({ orderId, reason: error.message }, 'an abandoned order could not be cancelled');
        logger?.debug({ orderId, err: error }, 'cancelling an abandoned order; retrying');
      }
      await sleep(1000);
    }
    logger?.info({ orderId }, 'an abandoned order never appeared: its saga did not start');
  }

  /** Units the customer holds in open orders other than `exceptOrderId` (a retry must not count itself). */
  async function unitsInOpenOrders(userId: string, exceptOrderId: string): Promise<number> {
    const [{ held }] = await db
      .withSchema(S)
      .table('orders as o')
      .join('order_items as i', 'i.order_id', 'o.id')
      .where('o.user_id', userId)
      .whereIn('o.status', OPEN_ORDER_STATUSES)
      .whereNot('o.id', exceptOrderId)
      .sum({ held: 'i.quantity' });
    return Number(held ?? 0);
  }

  return {
    async place({ userId, items, paymentToken, idempotencyKey }, caller) {
      const merged = mergeItems(items);
      const requestHash = hmacOf(hashKey, { userId, items: merged, paymentToken });
      const orderId = idempotencyKey ? orderIdFor(userId, idempotencyKey) : randomUUID();
      // A quick refusal with nothing written; Inventory enforces the same cap exactly when it reserves.
      const cap = config.limits.heldUnitsPerCustomer;
      const wanted = merged.reduce((n, i) => n + i.quantity, 0);
      const held = await unitsInOpenOrders(userId, orderId);
      if (held + wanted > cap) {
        throw new UnprocessableError(`one customer may hold at most ${cap} units in open orders; you hold ${held} and this order asks for ${wanted}: pay or cancel an open order first`);
      }
      const input: OrderSagaInput = {
        orderId,
        userId,
        items: merged,
        // Sealed for Payment: the saga, its history and OrderPlaced carry only what Payment can open.
        paymentToken: sealPaymentToken(tokenKeys, orderId, paymentToken),
        requestHash,
        deadlines: { inventoryMs: config.saga.inventoryDeadlineMs, paymentMs: config.saga.paymentDeadlineMs, paymentRetryWindowMs: config.saga.paymentRetryWindowMs },
      };
      // A Temporal known to be down is a 503 now, not after the call's deadline.
      if (temporalGate.down) throw new UnavailableError(`Temporal at ${config.temporal.address} does not answer`);
      const client = await temporal();
      const start = new WithStartWorkflowOperation<typeof orderSaga>(ORDER_SAGA, {
        workflowId: orderWorkflowId(orderId),
        taskQueue: config.temporal.taskQueue,
        args: [input],
        // A retried request joins the running saga; a finished one is never started again.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: ORDER_STATUS_ATTRIBUTE, value: ORDER_STATUS.PLACED },
          { key: CUSTOMER_ID_ATTRIBUTE, value: userId },
        ],
        staticSummary: `Order ${orderId}: ${merged.map((i) => `${i.quantity}× ${i.petId}`).join(', ')}`,
      });
      try {
        // A Temporal that is down or drowning answers this request with a 503 in seconds, not the SDK's 30 s of retries.
        const placed = await temporalGate.run(client.connection, () =>
          client.connection.withDeadline(Date.now() + config.admission.temporalCallTimeoutMs, () =>
            client.workflow.executeUpdateWithStart(placedUpdate, { args: [{ requestHash }], startWorkflowOperation: start }),
          ),
        );
        if (!idempotencyKey && caller?.abandoned()) void cancelAbandoned(orderId, userId);
        return placed;
      } catch (error) {
        if (error instanceof UnavailableError) {
          if (!idempotencyKey) void cancelAbandoned(orderId, userId);
          throw error;
        }
        if (failureType(error) === SAGA_FAILURES.idempotencyKeyReused) throw new UnprocessableError(messageOf(error));
        if (error instanceof WorkflowExecutionAlreadyStartedError || failureType(error) === undefined) {
          // The saga finished already: answer the original request from the order row.
          const row = (await db.withSchema(S).table('orders').where({ id: orderId }).first()) as OrderRow | undefined;
          if (row) {
            if (row.request_hash !== requestHash) throw new UnprocessableError('this Idempotency-Key was already used with a different request');
            return { orderId, status: ORDER_STATUS.AWAITING_INVENTORY };
          }
          // A saga that ended before it wrote the order (terminated, say) keeps its id, so this key can never
          // place an order: a conflict the client resolves with a new key, not an outage worth retrying (503).
          if (error instanceof WorkflowExecutionAlreadyStartedError) {
            throw new ConflictError('this Idempotency-Key belongs to an order whose saga ended before the order was written: send the order with a new key');
          }
        }
        if (error instanceof WorkflowUpdateFailedError) throw error;
        // The saga may still start after our deadline: without a key nobody can claim it, so it is cancelled.
        if (!idempotencyKey) void cancelAbandoned(orderId, userId);
        throw new UnavailableError(`could not start the order's saga: ${messageOf(error)}`);
      }
    },

    get: view,

    async listByUser(userId, { limit, cursor }) {
      const rows = (await pageQuery(db.withSchema(S).table('orders').where({ user_id: userId }).select('*'), { limit, cursor, direction: 'desc' })) as OrderRow[];
      const page = toPage(rows, limit, (row) => row);
      return { items: await withOrderItems(page.items), nextCursor: page.nextCursor };
    },

    async list({ limit, cursor, status, since, userId }) {
      const query = db.withSchema(S).table('orders').select('*');
      if (status !== undefined) query.where({ status });
      if (since !== undefined) query.where('created_at', '>=', since);
      if (userId !== undefined) query.where({ user_id: userId });
      const rows = (await pageQuery(query, { limit, cursor, direction: 'desc' })) as OrderRow[];
      const page = toPage(rows, limit, (row) => row);
      return { items: await withOrderItems(page.items), nextCursor: page.nextCursor };
    },

    cancel,

    async renotify({ orderId, requestedBy, reason }) {
      const order = await view(orderId);
      if (!order) throw new NotFoundError(`no order ${orderId}`);
      // The Order service emits through its own outbox onto the notifications topic (as Payment may), so
      // the event and the audit entry commit together: no notification without its audit, nor the reverse.
      const event = newEvent('NotificationRequested', {
        source: 'orders',
        orderId,
        data: { userId: order.userId, kind: ORDER_STATUS_NOTIFICATION_KIND, body: orderStatusMessage(order) },
      });
      await db.transaction(async (trx) => {
        await writeEvents(trx, S, [event]);
        await recordSupportAction(trx, {
          actor: requestedBy,
          action: SUPPORT_ACTION.renotify,
          orderId,
          reason: reason ?? null,
          details: { eventId: event.id, kind: ORDER_STATUS_NOTIFICATION_KIND, status: order.status },
        });
      });
      return { eventId: event.id };
    },
  };
}
