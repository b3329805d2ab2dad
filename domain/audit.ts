/** What support did to an order, as the audit records it. */
export const SUPPORT_ACTION = {
  /** Support or admin cancelled an order (a captured payment is refunded by the Payment service). */
  forceCancel: 'force-cancel',
  /** Support re-sent the customer a notification of the order's current status. */
  renotify: 'renotify',
  /** Support refunded a captured payment. */
  refund: 'refund',
  /** Support or admin paid (or retried paying) an order for its customer. */
  retryPayment: 'retry-payment',
} as const;
/** One of SUPPORT_ACTION. */
export type SupportAction = (typeof SUPPORT_ACTION)[keyof typeof SUPPORT_ACTION];

/** The longest free-text reason support may give for an action. */
export const SUPPORT_REASON_MAX_LENGTH = 500;
