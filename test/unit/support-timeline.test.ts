import { formatDuration, parseDuration } from '../../lib/duration';
import { mergeTimeline, summarize, type TimelineEntry } from '../../support/timeline';

const entry = (time: string, source: TimelineEntry['source'], what: string): TimelineEntry => ({ time, source, what, detail: '' });

describe('support timeline', () => {
  it('merges the sources in time order, whatever order they came in', () => {
    const temporal = [entry('2026-11-24T10:00:00.000Z', 'temporal', 'workflow started'), entry('2026-11-24T10:00:02.000Z', 'temporal', 'signal inventoryResult')];
    const kafka = [entry('2026-11-24T10:00:01.000Z', 'kafka', 'OrderPlaced'), entry('2026-11-24T10:00:01.500Z', 'kafka', 'InventoryReserved')];
    const audit = [entry('2026-11-24T09:59:59.000Z', 'audit', 'support renotify')];
    expect(mergeTimeline(temporal, kafka, audit).map((e) => e.what)).toEqual(['support renotify', 'workflow started', 'OrderPlaced', 'InventoryReserved', 'signal inventoryResult']);
  });

  it('keeps entries with the same time in the order each source gave them, and compares instants, not strings', () => {
    const same = '2026-11-24T10:00:00.000Z';
    const merged = mergeTimeline(
      [entry(same, 'temporal', 'update placed accepted'), entry(same, 'temporal', 'local activity placeOrder')],
      [entry('2026-11-24T11:00:00.000+01:00', 'kafka', 'OrderPlaced')],
      [entry(same, 'payment', 'payment PENDING')],
    );
    expect(merged.map((e) => e.what)).toEqual(['update placed accepted', 'local activity placeOrder', 'OrderPlaced', 'payment PENDING']);
  });

  it('puts entries without a readable time last instead of dropping them', () => {
    const merged = mergeTimeline([entry('', 'temporal', 'no time'), entry('2026-11-24T10:00:00.000Z', 'kafka', 'OrderPlaced')]);
    expect(merged.map((e) => e.what)).toEqual(['OrderPlaced', 'no time']);
  });

  it('summarizes values in one line, leaving out what must not be shown', () => {
    expect(summarize({ outcome: 'RESERVED', items: [1, 2], totalCents: 100, paymentToken: 'tok_secret', nested: { a: 1 }, gone: null }, { omit: ['paymentToken'] })).toBe(
      'outcome=RESERVED items=[2] totalCents=100 nested={…}',
    );
    expect(summarize('x'.repeat(300), { max: 10 })).toBe(`${'x'.repeat(9)}…`);
    expect(summarize(undefined)).toBe('');
  });
});

describe('ages', () => {
  it.each([
    ['0s', 0],
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    [' 10m ', 600_000],
  ])('parses %s', (raw, ms) => {
    expect(parseDuration(raw)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '-5m', '1.5h', '5x', 'soon'])('refuses %j', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });

  it('prints durations with at most two units', () => {
    expect([0, 250, 45_000, 192_000, 7_500_000, 273_600_000].map(formatDuration)).toEqual(['0s', '250ms', '45s', '3m12s', '2h05m', '3d4h']);
  });
});
