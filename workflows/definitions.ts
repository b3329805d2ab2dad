// Signals, queries and updates of the order saga, defined once and shared by the workflow, the
// services that talk to it, and the tests.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { ORDER_STATUS, type CancelActor, type CancelReason, type InventoryRejection, type OrderStatus, type PricedItem, type RequestedItem } from '../domain/orders';

export { orderWorkflowId } from '../domain/orders';

/** The workflow type name, for clients that start it by name. */
export const ORDER_SAGA = 'orderSaga';

/** How long the saga waits for each answer; from configuration, fixed at start. */
export interface SagaDeadlines {
  inventoryMs: number;
  paymentMs: number;
  paymentRetryWindowMs: number;
}

/** What POST /orders hands the saga. */
export interface OrderSagaInput {
  orderId: string;
  userId: string;
  items: RequestedItem[];
  paymentToken: string;
  /** Hash of the placing request: an Idempotency-Key reused with another body is refused. */
  requestHash: string;
  deadlines: SagaDeadlines;
}

/** Inventory's answer, from InventoryReserved / InventoryRejected on the orders topic. */
export type InventoryResult =
  | { eventId: string; outcome: 'RESERVED'; items: PricedItem[]; totalCents: number; currency: string }
  | { eventId: string; outcome: 'REJECTED'; reason: InventoryRejection };

/** Payment's answer, from PaymentSucceeded / PaymentFailed on the payments topic. */
export type PaymentResult =
  | { eventId: string; outcome: 'SUCCEEDED'; paymentId: string; amountCents: number }
  | { eventId: string; outcome: 'FAILED'; paymentId: string; reason: string };

/** The saga's live state, as the state query returns it. */
export interface SagaState {
  orderId: string;
  userId: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  /** What the saga waits for now, in words, or null when it waits for nothing. */
  waitingFor: string | null;
  /** When the current wait gives up (ISO), or null. */
  deadline: string | null;
  totalCents: number | null;
  currency: string | null;
  paymentId: string | null;
  /** When each status was entered. */
  history: { status: OrderStatus; at: string; reason?: CancelReason }[];
}

/** A saga's state before it has done anything: PLACED, waiting for the order to be written. */
export function placedState(orderId: string, userId: string): SagaState {
  return {
    orderId,
    userId,
    status: ORDER_STATUS.PLACED,
    cancelReason: null,
    waitingFor: 'the order to be written',
    deadline: null,
    totalCents: null,
    currency: null,
    paymentId: null,
    history: [{ status: ORDER_STATUS.PLACED, at: new Date().toISOString() }],
  };
}

/** Inventory answered (delivered by the Order service's consumer of the orders topic). */
export const inventoryResultSignal = defineSignal<[InventoryResult]>('inventoryResult');
/** Payment answered (delivered by the Order service's consumer of the payments topic). */
export const paymentResultSignal = defineSignal<[PaymentResult]>('paymentResult');
/** The live state. */
export const sagaStateQuery = defineQuery<SagaState>('state');
/** Completes once the order is written; used with update-with-start so POST /orders answers with a real order. */
export const placedUpdate = defineUpdate<{ orderId: string; status: OrderStatus }, [{ requestHash: string }]>('placed');
/** Cancels the order: customers before the payment succeeded, support any time while the saga runs. */
export const cancelUpdate = defineUpdate<SagaState, [{ actor: CancelActor; requestedBy: string }]>('cancel');

/** Named failure types, so clients can tell them apart. */
export const SAGA_FAILURES = {
  /** The same Idempotency-Key came with a different request. */
  idempotencyKeyReused: 'IdempotencyKeyReused',
  /** The cancel is not allowed in the order's current state or for this actor. */
  cancelNotAllowed: 'CancelNotAllowed',
} as const;

/** Database-only steps: local activities, retried for a while, then the order waits visibly in `stuck` rather than failing silently. */
export const DATABASE_STEP = {
  startToCloseTimeout: '10 seconds',
  localRetryThreshold: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
} as const;
