import { Counter, percentile, range, summarize } from '../../bench/stats';
import { spread } from '../../bench/temporal-cost';

describe('bench percentiles', () => {
  it('takes the nearest rank: the smallest sample with at least p% of the samples at or below it', () => {
    const sorted = [1, 2, 3, 4];
    expect(percentile(sorted, 50)).toBe(2);
    expect(percentile(sorted, 51)).toBe(3);
    expect(percentile(sorted, 100)).toBe(4);
    expect(percentile(sorted, 0)).toBe(1);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('puts p99 of 100 samples on the 99th and p90 on the 90th', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 90)).toBe(90);
    expect(percentile(sorted, 99)).toBe(99);
  });

  it('refuses a percentile outside 0..100', () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('summarizes unsorted samples, rounded to 0.1 ms, and gives nulls for none', () => {
    expect(summarize([30.04, 10, 20, 40.26])).toEqual({ count: 4, p50: 20, p90: 40.3, p99: 40.3, max: 40.3, mean: 25.1 });
    expect(summarize([])).toEqual({ count: 0, p50: null, p90: null, p99: null, max: null, mean: null });
  });

  it('counts errors per kind, listed in a stable order', () => {
    const counter = new Counter();
    counter.add('timeout');
    counter.add('http:429', 2);
    counter.add('cancelled:OUT_OF_STOCK');
    counter.add('http:429');
    expect(counter.toJSON()).toEqual({ 'cancelled:OUT_OF_STOCK': 1, 'http:429': 3, timeout: 1 });
    expect(Object.keys(counter.toJSON())).toEqual(['cancelled:OUT_OF_STOCK', 'http:429', 'timeout']);
    expect(counter.total()).toBe(5);
  });

  it('gives min, max and mean of a few history lengths', () => {
    expect(range([25, 28, 25])).toEqual({ min: 25, max: 28, mean: 26 });
    expect(range([])).toEqual({ min: null, max: null, mean: null });
  });

  it('samples ids spread over the run, first and last included', () => {
    expect(spread(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], 3)).toEqual(['a', 'e', 'i']);
    expect(spread(['a', 'b'], 5)).toEqual(['a', 'b']);
    expect(spread(['a', 'b'], 1)).toEqual(['a']);
    expect(spread(['a'], 0)).toEqual([]);
  });
});
