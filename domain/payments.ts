/** A payment's state at the gateway. */
export const PAYMENT_STATUS = {
  /** Created; not charged yet, or the gateway has not answered (tok_pending). */
  PENDING: 'PENDING',
  /** Captured. */
  SUCCEEDED: 'SUCCEEDED',
  /** Declined, or voided because the order was cancelled before any capture. */
  FAILED: 'FAILED',
  /** Captured, then part of it refunded by support; more may be refunded, up to what was captured. */
  PARTIALLY_REFUNDED: 'PARTIALLY_REFUNDED',
  /** Captured, then refunded in full: the order was cancelled, or support refunded all of it. */
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

/**
 * What kind of token paid, safe to record: the simulator's test tokens are public names, any other
 * token shows only its type prefix (`tok`, `pm`, ...), since a live token could be replayed to charge.
 */
export function paymentTokenKind(token: string): string {
  if ((Object.values(TEST_TOKENS) as string[]).includes(token)) return token;
  const prefix = /^([a-z]{1,10})_/.exec(token)?.[1];
  return prefix ?? 'opaque';
}
