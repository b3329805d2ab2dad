import { Type, type Static } from 'typebox';
import type { EventEnvelope, EventType } from './events';
import { ORDER_STATUS, type OrderStatus } from './orders';

// The order-history read model, built from the event topics alone. Its stored form is a set of facts,
// one per event id: adding a fact twice changes nothing and facts may arrive in any order (events of one
// order travel on three topics), so the stored form is a union that redelivery, copies and any arrival
// order leave the same. The history shown is derived from the facts, deterministically.

/** What the projection keeps of one event: its type, time and data without secrets or free text. */
export interface HistoryFact {
  type: EventType;
  time: string;
  data: Record<string, unknown>;
}

/** An order's facts by event id: the projection's stored form. */
export type HistoryFacts = Record<string, HistoryFact>;

// Payment tokens stay with Payment; bodies and messages are Notification's business.
const LEFT_OUT = new Set(['paymentToken', 'body', 'message', 'userId']);

/** The fact an event contributes to its order's history. */
export function factOf(event: EventEnvelope): HistoryFact {
  const data = Object.fromEntries(Object.entries(event.data as Record<string, unknown>).filter(([key]) => !LEFT_OUT.has(key)));
  return { type: event.type, time: event.time, data };
}

/** The customer an event names, if it names one (Inventory's events do not). */
export const userOf = (event: EventEnvelope): string | null => {
  const userId = (event.data as { userId?: unknown }).userId;
  return typeof userId === 'string' ? userId : null;
};

/** Adds facts to facts: a union by event id (the first copy of an id is kept; copies are equal anyway). */
export const mergeFacts = (into: HistoryFacts, more: HistoryFacts): HistoryFacts => ({ ...more, ...into });

/** Which status each event type moves the order to; later statuses win whatever the arrival order. */
const STATUS_OF: Partial<Record<EventType, OrderStatus>> = {
  OrderPlaced: ORDER_STATUS.AWAITING_INVENTORY,
  InventoryReserved: ORDER_STATUS.AWAITING_PAYMENT,
  OrderConfirmed: ORDER_STATUS.CONFIRMED,
  OrderCancelled: ORDER_STATUS.CANCELLED,
};
// A cancel may come after a confirmation (support cancels a paid order), never the other way round.
const PRECEDENCE: OrderStatus[] = [ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT, ORDER_STATUS.CONFIRMED, ORDER_STATUS.CANCELLED];

const Line = Type.Object({ petId: Type.String(), quantity: Type.Integer({ minimum: 0 }), unitPriceCents: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Cents = Type.Integer({ minimum: 0 });

/** One order's history as the order-history projection shows it (GET /orders/:orderId/history). */
export const OrderHistorySchema = Type.Object(
  {
    orderId: Type.String(),
    userId: Nullable(Type.String()),
    status: Nullable(Type.Enum(ORDER_STATUS)),
    cancelReason: Nullable(Type.String()),
    timeline: Type.Array(Type.Object({ status: Type.Enum(ORDER_STATUS), at: Type.String(), eventId: Type.String(), reason: Nullable(Type.String()) }), {
      description: 'each status the order entered, oldest first, with the time of the event that moved it',
    }),
    items: Type.Array(Line, { description: 'the order lines, priced once Inventory reserved them' }),
    totalCents: Nullable(Cents),
    currency: Nullable(Type.String()),
    payment: Type.Object({
      paymentId: Nullable(Type.String()),
      outcome: Nullable(Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED')])),
      attempts: Type.Array(
        Type.Object({ eventId: Type.String(), at: Type.String(), outcome: Type.Union([Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]), reason: Nullable(Type.String()), amountCents: Nullable(Cents) }),
      ),
    }),
    refunds: Type.Array(
      Type.Object({
        eventId: Type.String(),
        refundId: Nullable(Type.String()),
        at: Type.String(),
        amountCents: Cents,
        currency: Type.String(),
        remainingCents: Nullable(Cents),
        forCancellation: Type.Boolean(),
        restock: Type.Boolean(),
        items: Type.Array(Line),
      }),
    ),
    restocks: Type.Array(
      Type.Object({
        eventId: Type.String(),
        at: Type.String(),
        cause: Type.Union([Type.Literal('cancellation'), Type.Literal('refund')], { description: 'Inventory released the reservation, or a refund asked for its lines to go back in stock' }),
        refundId: Nullable(Type.String()),
        items: Type.Array(Type.Object({ petId: Type.String(), quantity: Type.Integer({ minimum: 0 }) })),
      }),
    ),
    notifications: Type.Array(Type.Object({ eventId: Type.String(), at: Type.String(), kind: Type.String() }), {
      description: 'the notifications the events asked Notification to send, by the event that asked',
    }),
    events: Type.Array(Type.Object({ eventId: Type.String(), type: Type.String(), at: Type.String() }), { description: 'every event of the order the projection has seen, oldest first' }),
  },
  { $id: 'OrderHistory', description: 'One order\'s history, built from the event topics alone by the order-history projection' },
);
/** One order's history (OrderHistorySchema). */
export type OrderHistory = Static<typeof OrderHistorySchema>;

type Priced = { petId: string; quantity: number; unitPriceCents?: number };
const lines = (items: unknown): OrderHistory['items'] =>
  ((items as Priced[] | undefined) ?? []).map((i) => ({ petId: i.petId, quantity: i.quantity, unitPriceCents: i.unitPriceCents ?? null }));
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The notification kind Notification sends for an event (services/notifications/handlers.ts), or null for none. */
export function notificationKindOf(fact: HistoryFact): string | null {
  switch (fact.type) {
    case 'OrderConfirmed':
      return 'order-confirmed';
    case 'OrderCancelled':
      return 'order-cancelled';
    case 'PaymentFailed':
      return fact.data.reason === 'DECLINED' ? 'payment-declined' : null;
    case 'PaymentRefunded':
      return 'payment-refunded';
    case 'NotificationRequested':
      return str(fact.data.kind);
    default:
      return null;
  }
}

/** An order's history from its facts: the same facts give the same history, whatever order they came in. */
export function deriveHistory(orderId: string, userId: string | null, facts: HistoryFacts): OrderHistory {
  const sorted = Object.entries(facts)
    .map(([eventId, fact]) => ({ eventId, ...fact }))
    .sort((a, b) => (a.time === b.time ? a.eventId.localeCompare(b.eventId) : a.time < b.time ? -1 : 1));
  const history: OrderHistory = {
    orderId,
    userId,
    status: null,
    cancelReason: null,
    timeline: [],
    items: [],
    totalCents: null,
    currency: null,
    payment: { paymentId: null, outcome: null, attempts: [] },
    refunds: [],
    restocks: [],
    notifications: [],
    events: [],
  };
  let priced = false;
  for (const fact of sorted) {
    const { eventId, type, time: at, data } = fact;
    history.events.push({ eventId, type, at });
    const status = STATUS_OF[type];
    if (status) {
      history.timeline.push({ status, at, eventId, reason: type === 'OrderCancelled' ? str(data.reason) : null });
      if (history.status === null || PRECEDENCE.indexOf(status) > PRECEDENCE.indexOf(history.status)) history.status = status;
    }
    const kind = notificationKindOf(fact);
    if (kind) history.notifications.push({ eventId, at, kind });
    switch (type) {
      case 'OrderPlaced':
        if (!priced) history.items = lines(data.items);
        history.payment.paymentId ??= str(data.paymentId);
        break;
      case 'InventoryReserved':
        history.items = lines(data.items);
        priced = true;
        history.totalCents = num(data.totalCents);
        history.currency = str(data.currency);
        break;
      case 'OrderConfirmed':
        history.totalCents ??= num(data.totalCents);
        history.currency ??= str(data.currency);
        break;
      case 'OrderCancelled':
        history.cancelReason = str(data.reason);
        break;
      case 'InventoryReleased': {
        const items = lines(data.items).map(({ petId, quantity }) => ({ petId, quantity }));
        if (items.length > 0) history.restocks.push({ eventId, at, cause: 'cancellation', refundId: null, items });
        break;
      }
      case 'PaymentSucceeded':
      case 'PaymentFailed': {
        const outcome = type === 'PaymentSucceeded' ? 'SUCCEEDED' : 'FAILED';
        history.payment.attempts.push({ eventId, at, outcome, reason: str(data.reason), amountCents: num(data.amountCents) });
        history.payment.paymentId ??= str(data.paymentId);
        // A success settles it: a decline before it was one attempt of several.
        if (history.payment.outcome !== 'SUCCEEDED') history.payment.outcome = outcome;
        break;
      }
      case 'PaymentRefunded': {
        const refundId = str(data.refundId);
        const items = lines(data.items);
        const restock = data.restock === true;
        history.refunds.push({
          eventId,
          refundId,
          at,
          amountCents: num(data.amountCents) ?? 0,
          currency: str(data.currency) ?? '',
          remainingCents: num(data.remainingCents),
          forCancellation: data.forCancellation === true,
          restock,
          items,
        });
        if (restock && items.length > 0) history.restocks.push({ eventId, at, cause: 'refund', refundId, items: items.map(({ petId, quantity }) => ({ petId, quantity })) });
        break;
      }
      default:
        break;
    }
  }
  return history;
}
