import type { OrderView } from '../../api/ports';
import { ORDER_STATUS } from '../../domain/orders';

/** The notification kind of a renotify: the order's status as it is now, whatever it was told before. */
export const ORDER_STATUS_NOTIFICATION_KIND = 'order-status';

const amount = (order: Pick<OrderView, 'totalCents' | 'currency'>) =>
  order.totalCents === null || order.currency === null ? '' : ` (${(order.totalCents / 100).toFixed(2)} ${order.currency})`;

/** What the customer is told about an order's current status, in words. */
export function orderStatusMessage(order: Pick<OrderView, 'id' | 'status' | 'cancelReason' | 'totalCents' | 'currency'>): string {
  switch (order.status) {
    case ORDER_STATUS.PLACED:
    case ORDER_STATUS.AWAITING_INVENTORY:
      return `Your order ${order.id} is received; we are reserving your pets.`;
    case ORDER_STATUS.AWAITING_PAYMENT:
      return `Your order ${order.id} is waiting for your payment${amount(order)}. You can pay with another method.`;
    case ORDER_STATUS.CONFIRMED:
      return `Your order ${order.id} is confirmed${amount(order)}. Thank you!`;
    case ORDER_STATUS.CANCELLED:
      return `Your order ${order.id} was cancelled${order.cancelReason ? ` (${order.cancelReason})` : ''}.`;
  }
}
