import { Option, type Command } from 'commander';
import type { Page } from '../api/ports';
import { intParser } from './parsers';

/** The most items the API answers per page (PAGE_LIMIT.max in api/schemas/common.ts). */
const PAGE_MAX = 100;
/** How many items a list shows without --limit or --all. */
export const DEFAULT_LIMIT = 20;

/** How much of a list to fetch. */
export interface PagingOptions {
  limit?: number;
  all?: boolean;
}

/** --limit and --all, the same on every list command (they exclude each other). */
export function addPagingOptions(command: Command, noun: string): Command {
  return command
    .addOption(new Option('--limit <n>', `show at most n ${noun} (default ${DEFAULT_LIMIT}; fetched ${PAGE_MAX} per request)`).argParser(intParser('--limit', 1, 100_000)).conflicts('all'))
    .addOption(new Option('--all', `fetch every page: all ${noun}`));
}

/**
 * Follows nextCursor until `limit` items (default DEFAULT_LIMIT) or, with `all`, the end. The answer keeps
 * the page shape: nextCursor is where a further request would continue (null when nothing is left).
 */
export async function collectPages<T>(
  fetchPage: (query: { limit: number; cursor?: string }) => Promise<Page<T>>,
  { limit = DEFAULT_LIMIT, all = false }: PagingOptions,
  onPage: (fetched: number) => void = () => undefined,
): Promise<Page<T>> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage({ limit: all ? PAGE_MAX : Math.min(PAGE_MAX, limit - items.length), ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    onPage(items.length);
    if (!page.nextCursor || page.items.length === 0 || (!all && items.length >= limit)) return { items, nextCursor: page.nextCursor };
    cursor = page.nextCursor;
  }
}
