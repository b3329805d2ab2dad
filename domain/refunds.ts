import type { PricedItem, RequestedItem } from './orders';
import { PAYMENT_STATUS, type PaymentStatus } from './payments';
import { mergeItems, totalCents } from './pricing';

// Partial refunds: what one refund may take back, given what was captured and what earlier refunds
// took. Pure, so the Payment service, its tests and the books' audit agree on the rules.

/** What support asks to refund: an amount, some of the order's lines, or (neither) whatever remains. */
export type RefundAsk = { amountCents: number } | { items: RequestedItem[] } | { rest: true };

/** What the payment has captured and given back so far. */
export interface RefundableState {
  capturedCents: number;
  /** The captured lines, each at its captured unit price; null when the payment does not know them. */
  lines: PricedItem[] | null;
  /** Every earlier refund: its amount and the lines it named. */
  earlier: { amountCents: number; items: PricedItem[] }[];
}

/** A refund that may go ahead: its amount and the lines it takes back (none for a refund by amount). */
export interface RefundPlan {
  amountCents: number;
  items: PricedItem[];
  /** What stays refundable after this refund; 0 means the payment is refunded in full. */
  remainingCents: number;
}

/** Why a refund cannot go ahead, as a sentence for support. */
export class RefundRefusal extends Error {
  override name = 'RefundRefusal';
}

const money = (cents: number) => (cents / 100).toFixed(2);

/** Units of each pet that earlier refunds took back by line. */
function refundedUnits(earlier: RefundableState['earlier']): Map<string, number> {
  const units = new Map<string, number>();
  for (const refund of earlier) for (const item of refund.items) units.set(item.petId, (units.get(item.petId) ?? 0) + item.quantity);
  return units;
}

/** The captured lines no earlier refund took back, with the units left of each. */
export function remainingLines(state: RefundableState): PricedItem[] {
  const taken = refundedUnits(state.earlier);
  return (state.lines ?? []).flatMap((line) => {
    const left = line.quantity - (taken.get(line.petId) ?? 0);
    return left > 0 ? [{ ...line, quantity: left }] : [];
  });
}

/** Captured minus every earlier refund. */
export const refundableCents = (state: RefundableState): number => state.capturedCents - state.earlier.reduce((sum, r) => sum + r.amountCents, 0);

/**
 * Plans one refund, never beyond what was captured minus earlier refunds, and never more units of a
 * line than were bought and not yet refunded. Throws RefundRefusal with the reason otherwise.
 */
export function planRefund(state: RefundableState, ask: RefundAsk): RefundPlan {
  const left = refundableCents(state);
  if (left <= 0) throw new RefundRefusal('the payment is already refunded in full: nothing remains to refund');
  if ('rest' in ask) return { amountCents: left, items: remainingLines(state), remainingCents: 0 };
  if ('amountCents' in ask) {
    if (ask.amountCents > left) {
      throw new RefundRefusal(`${money(ask.amountCents)} is more than remains refundable: ${money(left)} of the ${money(state.capturedCents)} captured`);
    }
    return { amountCents: ask.amountCents, items: [], remainingCents: left - ask.amountCents };
  }
  if (!state.lines) throw new RefundRefusal('this payment does not know its order lines: refund an amount instead');
  const open = new Map(remainingLines(state).map((line) => [line.petId, line]));
  const bought = new Set(state.lines.map((line) => line.petId));
  const items = mergeItems(ask.items).map((wanted) => {
    const line = open.get(wanted.petId);
    if (!bought.has(wanted.petId)) throw new RefundRefusal(`pet ${wanted.petId} is not in this order`);
    const units = line?.quantity ?? 0;
    if (wanted.quantity > units) {
      throw new RefundRefusal(`pet ${wanted.petId}: ${wanted.quantity} unit(s) asked, but only ${units} bought and not yet refunded`);
    }
    return { petId: wanted.petId, quantity: wanted.quantity, unitPriceCents: line!.unitPriceCents };
  });
  const amountCents = totalCents(items);
  if (amountCents > left) {
    throw new RefundRefusal(`these lines come to ${money(amountCents)}, more than remains refundable: ${money(left)} of the ${money(state.capturedCents)} captured`);
  }
  return { amountCents, items, remainingCents: left - amountCents };
}

/** A captured payment's status once `remainingCents` stays refundable. */
export const statusAfterRefund = (remainingCents: number): typeof PAYMENT_STATUS.PARTIALLY_REFUNDED | typeof PAYMENT_STATUS.REFUNDED => (remainingCents > 0 ? PAYMENT_STATUS.PARTIALLY_REFUNDED : PAYMENT_STATUS.REFUNDED);

/** Statuses in which a payment holds captured money that may still be refunded. */
export const REFUNDABLE_STATUSES: readonly PaymentStatus[] = [PAYMENT_STATUS.SUCCEEDED, PAYMENT_STATUS.PARTIALLY_REFUNDED];

/** Whether a payment in this status holds captured money that may still be refunded. */
export const isRefundable = (status: string): boolean => (REFUNDABLE_STATUSES as readonly string[]).includes(status);
