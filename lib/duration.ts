// The one duration grammar of the project: environment settings, CLI flags and bench options all
// read durations here, so `1h30m`, `1w` and `500ms` mean the same wherever they are typed.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** The grammar in words, for help texts and error messages. */
export const DURATION_GRAMMAR = 'one or more <number><unit> with units ms, s, m, h, d, w (500ms, 30s, 1h30m, 2d, 1w), or 0';

/** Parses a duration such as 0, 500ms, 90s, 5m, 1h30m, 2d or 1w into milliseconds; undefined when it is not one. */
export function parseDuration(raw: string): number | undefined {
  const text = raw.trim();
  if (text === '0') return 0;
  if (!/^(\d+(ms|s|m|h|d|w))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** A duration for humans, at most two units: 45s, 3m12s, 2h05m, 3d4h. */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${h % 24}h`;
}
