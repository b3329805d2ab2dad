// The throughput ceiling's workflow (`petstore bench --ceiling`), and its own workflowsPath entry: it
// lives with the bench, outside workflows/, so the saga worker never loads it. Workflow code all the
// same: ESLint holds it to the sandbox's rules. It issues the same commands as
// the order saga's happy path — update-with-start answered once placed, three local activities, two
// signals each awaited with a deadline timer, three search-attribute upserts and details texts — so
// its history has the saga's shape, while its activities do nothing: what it measures is what
// Temporal and one worker can do, with no database, Kafka or services behind them.
import { condition, proxyLocalActivities, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { ORDER_STATUS, type OrderStatus } from '../domain/orders';
import { ORDER_STATUS_ATTRIBUTE } from '../domain/search-attributes';
import { DATABASE_STEP, inventoryResultSignal, paymentResultSignal, placedState, placedUpdate, sagaStateQuery, type InventoryResult, type OrderSagaInput, type PaymentResult, type SagaState } from '../workflows/definitions';

// The saga's own profile, so a local activity costs the workflow what the saga's do.
const { placeOrder, recordReservation, confirmOrder } = proxyLocalActivities<OrderActivities>(DATABASE_STEP);

/** The workflow type name the ceiling bench starts. */
export const CEILING_SAGA = 'ceilingSaga';

/** The order saga's happy path with no-op activities. */
export async function ceilingSaga(input: OrderSagaInput): Promise<SagaState> {
  const { orderId, userId, deadlines } = input;
  const state = placedState(orderId, userId);
  let placed = false;
  let inventory: InventoryResult | undefined;
  let payment: PaymentResult | undefined;

  setHandler(sagaStateQuery, () => state);
  setHandler(placedUpdate, async () => {
    await condition(() => placed);
    return { orderId, status: ORDER_STATUS.AWAITING_INVENTORY };
  });
  setHandler(inventoryResultSignal, (result) => void (inventory ??= result));
  setHandler(paymentResultSignal, (result) => void (payment ??= result));

  const enter = (status: OrderStatus, waitingFor: string | null, deadlineMs?: number) => {
    state.status = status;
    state.history.push({ status, at: new Date().toISOString() });
    upsertSearchAttributes([{ key: ORDER_STATUS_ATTRIBUTE, value: status }]);
    state.waitingFor = waitingFor;
    state.deadline = deadlineMs === undefined ? null : new Date(Date.now() + deadlineMs).toISOString();
    setCurrentDetails(waitingFor ? `**${status}**: waiting for ${waitingFor} until ${state.deadline}` : `**${status}**`);
  };

  await placeOrder({ orderId, userId, items: input.items, paymentToken: input.paymentToken, requestHash: input.requestHash });
  placed = true;
  enter(ORDER_STATUS.AWAITING_INVENTORY, 'Inventory to reserve the pets', deadlines.inventoryMs);

  await condition(() => inventory !== undefined, deadlines.inventoryMs);
  if (inventory?.outcome !== 'RESERVED') throw new Error('the ceiling bench sends RESERVED only');
  await recordReservation({ orderId, items: inventory.items, totalCents: inventory.totalCents, currency: inventory.currency });
  state.totalCents = inventory.totalCents;
  state.currency = inventory.currency;
  enter(ORDER_STATUS.AWAITING_PAYMENT, 'the payment to succeed', deadlines.paymentMs);

  // As in the saga, an answer that came before the wait began needs no wait (and no timer).
  if (payment === undefined) await condition(() => payment !== undefined, deadlines.paymentMs);
  if (payment?.outcome !== 'SUCCEEDED') throw new Error('the ceiling bench sends SUCCEEDED only');
  state.paymentId = payment.paymentId;
  await confirmOrder({ orderId, paymentId: payment.paymentId });
  enter(ORDER_STATUS.CONFIRMED, null);
  return state;
}
