// Ages as support types them (`90s`, `5m`, `1h30m`, `2d`), and ages and instants as the CLI prints them.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses an age such as 0s, 500ms, 5m, 1h30m or 2d into milliseconds; undefined when it is not one. */
export function parseAge(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(amount) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

/** A duration for humans, at most two units: 45s, 3m12s, 2h05m, 3d4h. */
export function formatAge(ms: number): string {
  if (ms < 0) return `-${formatAge(-ms)}`;
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

/** An instant for the human tables: UTC, to the millisecond, without the ISO punctuation; '-' for none. */
export const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/Z$/, '') : '-');
