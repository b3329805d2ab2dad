import { pc } from '../output';

/** Integer cents as `450.00 EUR` (no floating point); `-` when not known yet. */
export function money(cents: number | null | undefined, currency: string | null | undefined): string {
  if (cents === null || cents === undefined) return '-';
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}${currency ? ` ${currency}` : ''}`;
}

/** How long ago, coarsely: `45s ago`, `12m ago`, `3h ago`, `2d ago`. */
export function ago(iso: string, now: Date): string {
  const seconds = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (seconds < 0) return 'in the future';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant in local time, `2025-03-01 09:30:12 (5m ago)`; `-` for none. */
export function time(iso: string | null | undefined, now: Date): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const local = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${local} (${ago(iso, now)})`;
}

/** Label/value lines with the values aligned, for one record. */
export function details(pairs: [label: string, value: string | number][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${pc.bold(label.padEnd(width))}  ${value}`).join('\n');
}

/** Text cut to max characters on one line, for table cells. */
export function truncate(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** `-` for a missing value. */
export const orDash = (value: string | number | null | undefined): string | number => (value === null || value === undefined || value === '' ? '-' : value);
