import type { Knex } from 'knex';
import { ORDER_STATUS, TERMINAL_ORDER_STATUSES, type OrderStatus } from '../domain/orders';

/** One row of an order's status history (orders.order_transitions), oldest first. */
export interface Transition {
  status: OrderStatus;
  reason: string | null;
  at: Date;
}

/** A saga step an order has just finished: which, how it ended, and how long the order spent in it. */
export interface StepEnded {
  /** inventory: waiting for Inventory's answer; payment: waiting for a successful payment; saga: placed to confirmed or cancelled. */
  step: 'inventory' | 'payment' | 'saga';
  /** RESERVED, PAID or CONFIRMED, or the cancel reason. */
  outcome: string;
  seconds: number;
}

const isTerminal = (status: OrderStatus) => TERMINAL_ORDER_STATUSES.includes(status);
const between = (from: Transition, to: Transition) => Math.max(0, (to.at.getTime() - from.at.getTime()) / 1000);

/**
 * The steps the order's latest transition ended, from its history alone. The times are the database's
 * (each transition's transaction time), so they do not depend on which process observes them.
 */
export function stepsEnded(history: readonly Transition[]): StepEnded[] {
  const last = history.at(-1);
  const previous = history.at(-2);
  if (!last || !previous) return [];
  const cancelled = last.status === ORDER_STATUS.CANCELLED;
  const reason = last.reason ?? ORDER_STATUS.CANCELLED;
  const ended: StepEnded[] = [];
  if (previous.status === ORDER_STATUS.AWAITING_INVENTORY && (last.status === ORDER_STATUS.AWAITING_PAYMENT || cancelled)) {
    ended.push({ step: 'inventory', outcome: cancelled ? reason : 'RESERVED', seconds: between(previous, last) });
  }
  if (previous.status === ORDER_STATUS.AWAITING_PAYMENT && (last.status === ORDER_STATUS.CONFIRMED || cancelled)) {
    ended.push({ step: 'payment', outcome: cancelled ? reason : 'PAID', seconds: between(previous, last) });
  }
  // A support cancel after confirmation is a compensation, not the end of the saga: that was timed at confirmation.
  if (isTerminal(last.status) && !isTerminal(previous.status)) {
    ended.push({ step: 'saga', outcome: cancelled ? reason : ORDER_STATUS.CONFIRMED, seconds: between(history[0]!, last) });
  }
  return ended;
}

/** What stepColumns adds to an order update's RETURNING. */
export interface StepColumns {
  created_at: Date;
  /** The update's own time (it sets updated_at = now()). */
  updated_at: Date;
  /** The order's latest transition before this update: the status it is leaving and since when. */
  entered: { status: OrderStatus; at: string } | null;
}

/**
 * Columns for an order update's RETURNING that let the step it ends be timed from that one statement, no
 * query of its own: the latest transition is one probe of order_transitions_order_idx. Run the update
 * before inserting its own transition.
 */
export function stepColumns(db: Knex): (string | Knex.Raw)[] {
  return [
    'created_at',
    'updated_at',
    db.raw(`(select json_build_object('status', t.status, 'at', t.at) from orders.order_transitions t where t.order_id = orders.id order by t.id desc limit 1) as entered`),
  ];
}

/** The steps an order update ended: from placed (created_at) through the status it left to the one it enters now. */
export function stepsOfUpdate(row: StepColumns, to: OrderStatus, reason?: string): StepEnded[] {
  if (!row.entered) return [];
  return stepsEnded([
    { status: ORDER_STATUS.PLACED, at: row.created_at, reason: null },
    { status: row.entered.status, at: new Date(row.entered.at), reason: null },
    { status: to, at: row.updated_at, reason: reason ?? null },
  ]);
}
