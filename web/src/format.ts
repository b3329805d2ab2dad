// How amounts, statuses and reasons read on the page.
import type { Order } from './api';

/** An amount in cents, in its currency, as the browser's locale writes it. */
export const money = (cents: number, currency: string): string =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);

/** Each status in words. */
export const STATUS_TEXT: Record<Order['status'], string> = {
  PLACED: 'Placed',
  AWAITING_INVENTORY: 'Reserving your pets',
  AWAITING_PAYMENT: 'Awaiting payment',
  CONFIRMED: 'Confirmed',
  CANCELLED: 'Cancelled',
};

/** Why an order was cancelled, as a sentence for the customer. */
export const CANCEL_REASON_TEXT: Record<NonNullable<Order['cancelReason']>, string> = {
  OUT_OF_STOCK: 'Not every pet was still in stock.',
  UNKNOWN_PET: 'One of the pets is no longer in the catalogue.',
  MIXED_CURRENCY: 'The pets are priced in different currencies; please order them separately.',
  HOLD_LIMIT: 'You already hold as many pets in open orders as one customer may.',
  INVENTORY_TIMEOUT: 'The shop could not reserve your pets in time.',
  PAYMENT_DECLINED: 'The payment was declined. Nothing was charged, and the pets are back on the shelf.',
  PAYMENT_TIMEOUT: 'No payment arrived before the deadline.',
  PAYMENT_MISMATCH: 'We could not confirm your payment. Anything charged is refunded, and the pets are back on the shelf.',
  CANCELLED_BY_CUSTOMER: 'You cancelled this order.',
  CANCELLED_BY_SUPPORT: 'Our support team cancelled this order; any payment is refunded.',
};

/** Statuses in which a customer may still cancel. */
export const CANCELLABLE: readonly Order['status'][] = ['PLACED', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT'];

/** The payment simulator's tokens, explained on the checkout and order pages. */
export const PAYMENT_TOKENS = [
  { token: 'tok_ok', text: 'pays at once: the order is confirmed.' },
  { token: 'tok_declined', text: 'is declined: the order is cancelled and the pets go back on the shelf.' },
  { token: 'tok_pending', text: 'leaves the payment pending: the order waits, and you can pay again with another token.' },
  { token: 'tok_flaky', text: 'fails twice, then pays: the shop retries for you.' },
] as const;
