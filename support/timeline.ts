// One order's story, told by several systems: each source adds entries, mergeTimeline puts them in time order.

/** Where a timeline entry comes from. */
export const TIMELINE_SOURCES = ['temporal', 'kafka', 'payment', 'notification', 'audit'] as const;
/** One of TIMELINE_SOURCES. */
export type TimelineSource = (typeof TIMELINE_SOURCES)[number];

/** One thing that happened to an order. */
export interface TimelineEntry {
  /** When it happened (ISO 8601). */
  time: string;
  source: TimelineSource;
  /** A short headline, e.g. `signal inventoryResult` or `OrderPlaced`. */
  what: string;
  /** The particulars, in one line. */
  detail: string;
  /** Where to find it in its source, e.g. a history event id or `orders/3@17`. */
  ref?: string;
}

const timeOf = (entry: TimelineEntry): number => {
  const ms = Date.parse(entry.time);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
};

/**
 * Merges the sources' entries into one list in time order. Entries with the same time keep the
 * order they came in (each source lists its own entries in their causal order, e.g. by history
 * event id or partition offset, which a millisecond clock cannot tell apart); entries without a
 * readable time go last.
 */
export function mergeTimeline(...lists: TimelineEntry[][]): TimelineEntry[] {
  return lists
    .flat()
    .map((entry, index) => ({ entry, index, at: timeOf(entry) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ entry }) => entry);
}

/** A compact one-line summary of a decoded value: `key=value` for the primitive fields, `[n]` for lists. */
export function summarize(value: unknown, { omit = [], max = 160 }: { omit?: readonly string[]; max?: number } = {}): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (Array.isArray(value)) text = `[${value.length}]`;
  else if (typeof value === 'object') {
    text = Object.entries(value as Record<string, unknown>)
      .filter(([key, v]) => !omit.includes(key) && v !== null && v !== undefined)
      .map(([key, v]) => `${key}=${Array.isArray(v) ? `[${v.length}]` : typeof v === 'object' ? '{…}' : String(v)}`)
      .join(' ');
  } else text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
