import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { stateless, type HandlerMap } from '../../kafka/consumer';
import { compensationResultSignal, inventoryResultSignal, orderWorkflowId, paymentResultSignal } from '../../workflows/definitions';

/**
 * Order's reactions to the orders and payments topics: each answer becomes a signal to the order's
 * saga. The saga ignores repeats, so redelivery is harmless and no transaction or processed-events
 * row is needed (stateless); a saga that has already finished (a late answer) is logged and skipped.
 */
export function orderHandlers({ temporal }: { temporal: () => Promise<Client> }): HandlerMap {
  async function signal<A>(orderId: string, send: (client: Client) => Promise<A>, logger: { info: (o: object, m: string) => void }): Promise<void> {
    try {
      await send(await temporal());
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      logger.info({ orderId }, 'answer for a saga that has finished; nothing to do');
    }
  }
  const handle = (client: Client, orderId: string) => client.workflow.getHandle(orderWorkflowId(orderId));

  return {
    InventoryReserved: stateless(async ({ event, logger }) => {
      const { items, totalCents, currency } = event.data;
      await signal(event.orderId, (c) => handle(c, event.orderId).signal(inventoryResultSignal, { eventId: event.id, outcome: 'RESERVED', items, totalCents, currency }), logger);
    }),
    InventoryRejected: stateless(async ({ event, logger }) => {
      await signal(event.orderId, (c) => handle(c, event.orderId).signal(inventoryResultSignal, { eventId: event.id, outcome: 'REJECTED', reason: event.data.reason }), logger);
    }),
    PaymentSucceeded: stateless(async ({ event, logger }) => {
      const { paymentId, amountCents, currency } = event.data;
      await signal(
        event.orderId,
        (c) => handle(c, event.orderId).signal(paymentResultSignal, { eventId: event.id, outcome: 'SUCCEEDED', paymentId, amountCents, currency }),
        logger,
      );
    }),
    PaymentFailed: stateless(async ({ event, logger }) => {
      if (event.data.reason !== 'DECLINED') return;
      const { paymentId, reason } = event.data;
      await signal(event.orderId, (c) => handle(c, event.orderId).signal(paymentResultSignal, { eventId: event.id, outcome: 'FAILED', paymentId, reason }), logger);
    }),
    // The compensations' answers: the saga waits for the ones its cancel asked for.
    InventoryReleased: stateless(async ({ event, logger }) => {
      await signal(event.orderId, (c) => handle(c, event.orderId).signal(compensationResultSignal, { eventId: event.id, kind: 'RESTOCKED', items: event.data.items }), logger);
    }),
    PaymentRefunded: stateless(async ({ event, logger }) => {
      const { paymentId, amountCents, currency, forCancellation } = event.data;
      await signal(
        event.orderId,
        (c) =>
          handle(c, event.orderId).signal(compensationResultSignal, {
            eventId: event.id,
            kind: 'REFUNDED',
            paymentId,
            amountCents,
            currency,
            forCancellation: forCancellation === true,
          }),
        logger,
      );
    }),
  };
}
