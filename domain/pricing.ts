import type { PricedItem } from './orders';

/** The order total in integer cents: no floating point ever touches money. */
export function totalCents(items: readonly PricedItem[]): number {
  return items.reduce((sum, item) => sum + item.unitPriceCents * item.quantity, 0);
}

/** Merges repeated lines for the same pet, so an order holds each pet once (sorted by pet id). */
export function mergeItems<T extends { petId: string; quantity: number }>(items: readonly T[]): T[] {
  const byPet = new Map<string, T>();
  for (const item of items) {
    const seen = byPet.get(item.petId);
    byPet.set(item.petId, seen ? { ...seen, quantity: seen.quantity + item.quantity } : { ...item });
  }
  return [...byPet.values()].sort((a, b) => a.petId.localeCompare(b.petId));
}
