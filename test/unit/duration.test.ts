import { parseDuration } from '../../lib/duration';
import { loadConfig } from '../../lib/config';
import { parseSince } from '../../cli/parsers';

describe('one duration grammar', () => {
  it('reads weeks, compounds and 0 in settings, flags and --since alike', () => {
    expect(parseDuration('1w')).toBe(604_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('0')).toBe(0);
    expect(loadConfig({ PAYMENT_DEADLINE: '1h30m' }).saga.paymentDeadlineMs).toBe(5_400_000);
    const now = new Date('2026-12-02T12:00:00Z');
    expect(parseSince('1h30m', now)).toBe('2026-12-02T10:30:00.000Z');
    expect(parseSince('500ms', now)).toBe('2026-12-02T11:59:59.500Z');
  });

  it('names the grammar when a setting is not one', () => {
    expect(() => loadConfig({ PAYMENT_DEADLINE: '15 minutes' })).toThrow(/PAYMENT_DEADLINE must be a duration .*units ms, s, m, h, d, w/);
  });
});
