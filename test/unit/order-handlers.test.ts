import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Knex } from 'knex';
import type { EventEnvelope, EventType } from '../../domain/events';
import type { HandlerContext } from '../../kafka/consumer';
import { newEvent } from '../../kafka/envelope';
import { createLogger } from '../../lib/logger';
import { orderHandlers } from '../../services/orders/handlers';

/** A Temporal client fake that records signals, or fails them. */
function fakeTemporal(fail?: Error) {
  const signals: { workflowId: string; name: string; arg: unknown }[] = [];
  const client = {
    workflow: {
      getHandle: (workflowId: string) => ({
        signal: async (def: { name: string }, arg: unknown) => {
          if (fail) throw fail;
          signals.push({ workflowId, name: def.name, arg });
        },
      }),
    },
  } as unknown as Client;
  return { signals, temporal: async () => client };
}

const logger = createLogger('silent');
const context = <T extends EventType>(event: EventEnvelope<T>): HandlerContext<T> => ({ event, trx: {} as Knex.Transaction, logger });

describe("Order service's consumers", () => {
  it('turns Inventory and Payment answers into signals to the order saga', async () => {
    const { signals, temporal } = fakeTemporal();
    const handlers = orderHandlers({ temporal });
    const reserved = newEvent('InventoryReserved', { source: 'inventory', orderId: 'o-1', data: { items: [{ petId: 'p', quantity: 1, unitPriceCents: 5 }], totalCents: 5, currency: 'EUR' } });
    const paid = newEvent('PaymentSucceeded', { source: 'payments', orderId: 'o-1', data: { paymentId: 'pay-1', userId: 'u', amountCents: 5, currency: 'EUR' } });
    await handlers.InventoryReserved!(context(reserved));
    await handlers.PaymentSucceeded!(context(paid));
    expect(signals).toEqual([
      { workflowId: 'order-o-1', name: 'inventoryResult', arg: { eventId: reserved.id, outcome: 'RESERVED', items: reserved.data.items, totalCents: 5, currency: 'EUR' } },
      { workflowId: 'order-o-1', name: 'paymentResult', arg: { eventId: paid.id, outcome: 'SUCCEEDED', paymentId: 'pay-1', amountCents: 5, currency: 'EUR' } },
    ]);
  });

  it('skips answers for sagas that have finished, and retries (throws) on anything else', async () => {
    const rejected = newEvent('InventoryRejected', { source: 'inventory', orderId: 'o-2', data: { reason: 'OUT_OF_STOCK' } });
    const gone = orderHandlers(fakeTemporal(new WorkflowNotFoundError('finished', 'order-o-2', undefined)));
    await expect(gone.InventoryRejected!(context(rejected))).resolves.toBeUndefined();
    const down = orderHandlers(fakeTemporal(new Error('connection refused')));
    await expect(down.InventoryRejected!(context(rejected))).rejects.toThrow('connection refused');
  });

  it('does not signal for a voided payment (only declines reach the saga)', async () => {
    const { signals, temporal } = fakeTemporal();
    const voided = newEvent('PaymentFailed', { source: 'payments', orderId: 'o-3', data: { paymentId: 'pay', userId: 'u', reason: 'ORDER_CANCELLED' } });
    await orderHandlers({ temporal }).PaymentFailed!(context(voided));
    expect(signals).toEqual([]);
  });
});
