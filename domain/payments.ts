/** A payment's state at the gateway. */
export const PAYMENT_STATUS = {
  /** Created; not charged yet, or the gateway has not answered (tok_pending). */
  PENDING: 'PENDING',
  /** Captured. */
  SUCCEEDED: 'SUCCEEDED',
  /** Declined, or voided because the order was cancelled before any capture. */
  FAILED: 'FAILED',
  /** Captured, then refunded because the order was cancelled. */
  REFUNDED: 'REFUNDED',
} as const;
/** One of PAYMENT_STATUS. */
export type PaymentStatus = (typeof PAYMENT_STATUS)[keyof typeof PAYMENT_STATUS];

/** Tokens the built-in gateway simulator understands, like a card processor's test mode. */
export const TEST_TOKENS = {
  /** Succeeds at once. */
  ok: 'tok_ok',
  /** Declined. */
  declined: 'tok_declined',
  /** No answer: the payment stays pending until another POST /payments or the deadline. */
  pending: 'tok_pending',
  /** Fails transiently twice, then succeeds. */
  flaky: 'tok_flaky',
} as const;

/** Why a payment failed, machine-readable. */
export const PAYMENT_FAILURE = {
  DECLINED: 'DECLINED',
  /** The order was cancelled before anything was captured. */
  ORDER_CANCELLED: 'ORDER_CANCELLED',
} as const;
/** One of PAYMENT_FAILURE. */
export type PaymentFailure = (typeof PAYMENT_FAILURE)[keyof typeof PAYMENT_FAILURE];
