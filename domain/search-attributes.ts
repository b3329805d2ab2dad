import { defineSearchAttributeKey } from '@temporalio/common';

/** The order's saga status, kept current so support can list stuck orders (`OrderStatus="AWAITING_PAYMENT"`). */
export const ORDER_STATUS_ATTRIBUTE = defineSearchAttributeKey('OrderStatus', 'KEYWORD');
/** The customer's id, for support look-ups; no other personal data goes into search attributes (stored unencrypted). */
export const CUSTOMER_ID_ATTRIBUTE = defineSearchAttributeKey('CustomerId', 'KEYWORD');

/** Every custom search attribute petstore registers, by name, as the Temporal CLI spells the type. */
export const CUSTOM_SEARCH_ATTRIBUTES = {
  [ORDER_STATUS_ATTRIBUTE.name]: 'Keyword',
  [CUSTOMER_ID_ATTRIBUTE.name]: 'Keyword',
} as const;
