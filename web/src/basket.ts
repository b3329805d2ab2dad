// The basket: pet ids and quantities, kept in localStorage so it survives a reload and a sign-in.
import { useEffect, useState } from 'preact/hooks';

/** One line of the basket. */
export interface BasketLine {
  petId: string;
  name: string;
  priceCents: number;
  currency: string;
  quantity: number;
}

const KEY = 'petstore.basket';
const listeners = new Set<() => void>();

/** The basket's lines. */
export function basketLines(): BasketLine[] {
  try {
    return (JSON.parse(localStorage.getItem(KEY) ?? '[]') as BasketLine[]).filter((l) => l.quantity > 0);
  } catch {
    return [];
  }
}

function save(lines: BasketLine[]): void {
  localStorage.setItem(KEY, JSON.stringify(lines.filter((l) => l.quantity > 0)));
  for (const listener of listeners) listener();
}

/** Adds quantity of a pet (or more of it), at most max in all. */
export function addToBasket(line: Omit<BasketLine, 'quantity'>, quantity: number, max: number): void {
  const lines = basketLines();
  const existing = lines.find((l) => l.petId === line.petId);
  if (existing) existing.quantity = Math.min(max, existing.quantity + quantity);
  else lines.push({ ...line, quantity: Math.min(max, quantity) });
  save(lines);
}

/** Sets a line's quantity (0 removes it). */
export function setQuantity(petId: string, quantity: number): void {
  save(basketLines().map((l) => (l.petId === petId ? { ...l, quantity } : l)));
}

/** Empties the basket (after an order was placed). */
export const clearBasket = (): void => save([]);

/** The basket, re-rendered on every change (also from other tabs). */
export function useBasket(): BasketLine[] {
  const [lines, setLines] = useState(basketLines);
  useEffect(() => {
    const update = () => setLines(basketLines());
    listeners.add(update);
    window.addEventListener('storage', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('storage', update);
    };
  }, []);
  return lines;
}
