// Option and argument parsers for commander: each turns a bad value into a one-line usage error
// (exit 2) that names what was expected, before anything is sent to the API.
import { parseDuration } from '../lib/duration';
import { CliError, EXIT } from './errors';

const usage = (message: string): never => {
  throw new CliError(message, EXIT.usage);
};

/** The API's id pattern (api/schemas/common.ts): URL-safe characters only. */
const ID_PATTERN = /^[A-Za-z0-9._~:@+-]{1,100}$/;

/** An id argument or option value (pet, order, payment or user id). */
export const idParser =
  (what: string) =>
  (value: string): string =>
    ID_PATTERN.test(value) ? value : usage(`${what} must be 1 to 100 of A-Z a-z 0-9 . _ ~ : @ + -, got "${value}"`);

/** A whole number from min to max. */
export const intParser =
  (what: string, min: number, max: number) =>
  (value: string): number => {
    const n = /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : usage(`${what} must be a whole number from ${min} to ${max}, got "${value}"`);
  };

/** A support reason: 1 to 500 characters, recorded in the audit. */
export const reasonParser = (value: string): string => {
  const reason = value.trim();
  return reason.length >= 1 && reason.length <= 500 ? reason : usage(`--reason must be 1 to 500 characters, got ${reason.length}`);
};

/** A duration such as 500ms, 2s, 1m (at least min ms), in milliseconds. */
export const durationParser =
  (what: string, minMs: number) =>
  (value: string): number => {
    const ms = parseDuration(value);
    return ms !== undefined && ms >= minMs ? ms : usage(`${what} must be a duration of at least ${minMs}ms such as 500ms, 2s or 1m, got "${value}"`);
  };

/**
 * A price in decimal currency units ("450", "450.5", "450.00") as integer cents, by string
 * arithmetic so that no floating point touches money. Undefined when the text is not such an amount.
 */
export function decimalToCents(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

/** --price: decimal currency units, e.g. 450.00. */
export const priceParser = (value: string): number => decimalToCents(value) ?? usage(`--price must be an amount in currency units such as 450 or 450.00 (at most 2 decimals; for cents use --price-cents), got "${value}"`);

/** A comma-separated list, trimmed, without empty entries ("" gives an empty list). */
export const listParser = (value: string): string[] =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/** An ISO 4217 code; lower case is accepted and upper-cased. */
export const currencyParser = (value: string): string => {
  const code = value.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code) ? code : usage(`--currency must be a 3-letter ISO 4217 code such as EUR, got "${value}"`);
};

/**
 * --since: a duration back from now (30m, 1h, 2d, 1w, 1h30m) or an ISO 8601 time (2025-03-01, 2025-03-01T09:00:00Z),
 * as the ISO timestamp the API takes.
 */
export function parseSince(value: string, now: Date): string {
  const text = value.trim();
  const back = parseDuration(text);
  if (back !== undefined && back <= now.getTime()) return new Date(now.getTime() - back).toISOString();
  // Date.parse accepts many loose forms; only ISO 8601 is meant here.
  const iso = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(iso)) return usage(`--since must be a duration such as 30m, 1h, 2d or an ISO time such as 2025-03-01T09:00:00Z, got "${value}"`);
  return new Date(iso).toISOString();
}
