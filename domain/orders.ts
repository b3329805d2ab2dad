/** Where an order is in its saga. */
export const ORDER_STATUS = {
  /** The saga has started; the order row is being written. */
  PLACED: 'PLACED',
  /** The order and its OrderPlaced event are written; Inventory has not answered yet. */
  AWAITING_INVENTORY: 'AWAITING_INVENTORY',
  /** The pets are reserved at the captured prices; waiting for the payment to succeed. */
  AWAITING_PAYMENT: 'AWAITING_PAYMENT',
  /** Paid and confirmed: the pets are the customer's. */
  CONFIRMED: 'CONFIRMED',
  /** Cancelled with a reason; what was reserved is restocked and what was captured refunded. */
  CANCELLED: 'CANCELLED',
} as const;
/** One of ORDER_STATUS. */
export type OrderStatus = (typeof ORDER_STATUS)[keyof typeof ORDER_STATUS];

/** Statuses of an order whose saga is still running: what it asked for is held for it. */
export const OPEN_ORDER_STATUSES: readonly OrderStatus[] = [ORDER_STATUS.PLACED, ORDER_STATUS.AWAITING_INVENTORY, ORDER_STATUS.AWAITING_PAYMENT];

/** Statuses after which nothing more happens to an order. */
export const TERMINAL_ORDER_STATUSES: readonly OrderStatus[] = [ORDER_STATUS.CONFIRMED, ORDER_STATUS.CANCELLED];

/** Why an order was cancelled, machine-readable. */
export const CANCEL_REASON = {
  /** Inventory could not reserve every item. */
  OUT_OF_STOCK: 'OUT_OF_STOCK',
  /** An item names a pet that does not exist (or was removed). */
  UNKNOWN_PET: 'UNKNOWN_PET',
  /** The items are priced in more than one currency. */
  MIXED_CURRENCY: 'MIXED_CURRENCY',
  /** The customer already holds as many units in open orders as one customer may. */
  HOLD_LIMIT: 'HOLD_LIMIT',
  /** Inventory did not answer before the inventory deadline. */
  INVENTORY_TIMEOUT: 'INVENTORY_TIMEOUT',
  /** The payment gateway declined the payment. */
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  /** No successful payment before the payment deadline. */
  PAYMENT_TIMEOUT: 'PAYMENT_TIMEOUT',
  /** Payment reported a success that does not match the order (amount, currency or payment id): refunded, for support to investigate. */
  PAYMENT_MISMATCH: 'PAYMENT_MISMATCH',
  /** The customer cancelled before paying. */
  CANCELLED_BY_CUSTOMER: 'CANCELLED_BY_CUSTOMER',
  /** Support cancelled the order (a captured payment is refunded). */
  CANCELLED_BY_SUPPORT: 'CANCELLED_BY_SUPPORT',
} as const;
/** One of CANCEL_REASON. */
export type CancelReason = (typeof CANCEL_REASON)[keyof typeof CANCEL_REASON];

/**
 * Where a cancelled order's compensations are: the saga waits for Inventory's InventoryReleased and (when
 * money was captured) Payment's PaymentRefunded, each answering the OrderCancelled it emitted.
 */
export const COMPENSATION_STATUS = {
  /** Asked for; not every answer has come yet. */
  PENDING: 'pending',
  /** Every compensation asked for has been answered: stock is back, money refunded. */
  DONE: 'done',
  /** The compensation deadline passed with an answer missing: support must look (the saga still waits). */
  STUCK: 'stuck',
} as const;
/** One of COMPENSATION_STATUS. */
export type CompensationStatus = (typeof COMPENSATION_STATUS)[keyof typeof COMPENSATION_STATUS];

/** Inventory's reasons for refusing a reservation, a subset of the cancel reasons. */
export type InventoryRejection =
  | typeof CANCEL_REASON.OUT_OF_STOCK
  | typeof CANCEL_REASON.UNKNOWN_PET
  | typeof CANCEL_REASON.MIXED_CURRENCY
  | typeof CANCEL_REASON.HOLD_LIMIT;

/** One line of an order as the customer asked for it. */
export interface RequestedItem {
  petId: string;
  quantity: number;
}

/** One line of an order with the price Inventory captured when it reserved the pets. */
export interface PricedItem extends RequestedItem {
  unitPriceCents: number;
}

/** Who may cancel, and the rule: customers only before the payment succeeded, support any time. */
export type CancelActor = 'customer' | 'support';

/** The most units of pets one order may ask for, and the most lines. */
export const ORDER_LIMITS = { maxItems: 20, maxQuantityPerItem: 10 } as const;

/** The order saga's workflow id: the business id, so there is exactly one saga per order. */
export const orderWorkflowId = (orderId: string): string => `order-${orderId}`;
