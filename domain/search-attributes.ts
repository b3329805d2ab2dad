import { defineSearchAttributeKey } from '@temporalio/common';

/** The order's saga status, kept current so support can list stuck orders (`OrderStatus="AWAITING_PAYMENT"`). */
export const ORDER_STATUS_ATTRIBUTE = defineSearchAttributeKey('OrderStatus', 'KEYWORD');
/** The customer's id, for support look-ups; no other personal data goes into search attributes (stored unencrypted). */
export const CUSTOMER_ID_ATTRIBUTE = defineSearchAttributeKey('CustomerId', 'KEYWORD');

/** Whether the restock and refund a cancel asked for have been answered: pending, done or stuck (`Compensation="stuck"`). */
export const COMPENSATION_ATTRIBUTE = defineSearchAttributeKey('Compensation', 'KEYWORD');

/** Every custom search attribute petstore registers, by name, as the Temporal CLI spells the type. */
export const CUSTOM_SEARCH_ATTRIBUTES = {
  [ORDER_STATUS_ATTRIBUTE.name]: 'Keyword',
  [CUSTOMER_ID_ATTRIBUTE.name]: 'Keyword',
  [COMPENSATION_ATTRIBUTE.name]: 'Keyword',
} as const;
