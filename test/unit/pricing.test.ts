import { mergeItems, totalCents } from '../../domain/pricing';

describe('pricing', () => {
  it('totals integer cents exactly', () => {
    expect(totalCents([{ petId: 'a', quantity: 3, unitPriceCents: 1999 }, { petId: 'b', quantity: 1, unitPriceCents: 1 }])).toBe(5998);
    expect(totalCents([])).toBe(0);
  });

  it('merges repeated lines for the same pet and sorts by pet id (the lock order)', () => {
    expect(mergeItems([{ petId: 'b', quantity: 1 }, { petId: 'a', quantity: 2 }, { petId: 'b', quantity: 3 }])).toEqual([
      { petId: 'a', quantity: 2 },
      { petId: 'b', quantity: 4 },
    ]);
  });
});
