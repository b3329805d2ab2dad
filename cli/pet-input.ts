// Pet input from the command line or a bulk file (JSON or CSV), checked against the API's own
// schema (PetInputSchema) so a bad value is reported per field before anything is sent.
import { parse } from 'csv-parse/sync';
import { Compile } from 'typebox/compile';
import type { PetInput } from '../api/ports';
import { PetInputSchema } from '../api/schemas/pets';
import { decimalToCents } from './parsers';

// Compiled on first use, so commands that never check a pet do not pay for it at start-up.
const compilePetInput = () => Compile(PetInputSchema);
let compiled: ReturnType<typeof compilePetInput> | undefined;
const petInputCheck = () => (compiled ??= compilePetInput());

/** What the API itself would say about an input, one message per field, e.g. `name: must not have fewer than 1 characters`. */
export function petInputProblems(input: PetInput): string[] {
  const check = petInputCheck();
  if (check.Check(input)) return [];
  const problems = new Set<string>();
  for (const error of check.Errors(input)) {
    // additionalProperties reports twice (once per property); fields are named by the parser anyway.
    if (error.keyword === 'boolean') continue;
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'pet';
    problems.add(`${field}: ${error.message}`);
  }
  return [...problems];
}

/** The fields a file may give, by their lower-cased names (CSV headers are matched case-insensitively). */
const FIELDS = ['name', 'species', 'breed', 'age', 'description', 'tags', 'price', 'priceCents', 'currency', 'stock'] as const;
type Field = (typeof FIELDS)[number];
const FIELD_BY_LOWER = new Map<string, Field>(FIELDS.map((f) => [f.toLowerCase(), f]));
/** Fields of a pet as the API shows it: ignored on import, so `pets list --all --json` output can be imported elsewhere. */
const READ_ONLY = new Set(['id', 'status', 'version', 'createdat', 'updatedat']);

/** One row of a bulk file, before checking: where it is and its raw values. */
export interface RawRow {
  /** 1-based position among the data rows. */
  row: number;
  /** The line it starts on, for CSV. */
  line?: number;
  values: Record<string, unknown>;
  /** What is wrong with the row as a whole (a CSV record with the wrong number of fields, not an object). */
  problems?: string[];
}

/** A row checked: the input to POST, or why not. */
export type CheckedRow = { row: number; line?: number } & ({ input: PetInput; problems?: undefined } | { input?: undefined; problems: string[] });

const isBlank = (value: unknown) => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/** A whole number from a JSON number or a CSV string. */
function wholeNumber(field: string, value: unknown, problems: string[]): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) {
    problems.push(`${field}: must be a whole number, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return n;
}

/** Turns one row's raw values into a PetInput and checks it with the API's schema. */
export function checkRow({ row, line, values, problems: rowProblems = [] }: RawRow): CheckedRow {
  if (rowProblems.length > 0) return { row, line, problems: rowProblems };
  const problems: string[] = [];
  const given = new Map<Field, unknown>();
  for (const [key, value] of Object.entries(values)) {
    const lower = key.trim().toLowerCase();
    const field = FIELD_BY_LOWER.get(lower);
    if (field) {
      if (!isBlank(value)) given.set(field, value);
    } else if (!READ_ONLY.has(lower)) {
      problems.push(`unknown field "${key}" (known: ${FIELDS.join(', ')})`);
    }
  }
  const text = (field: Field): string | undefined => {
    const value = given.get(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push(`${field}: must be text, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };

  let priceCents: number | undefined;
  if (given.has('price') && given.has('priceCents')) problems.push('give either price (currency units) or priceCents, not both');
  else if (given.has('priceCents')) priceCents = wholeNumber('priceCents', given.get('priceCents'), problems);
  else if (given.has('price')) {
    const raw = given.get('price');
    priceCents = typeof raw === 'number' || typeof raw === 'string' ? decimalToCents(String(raw)) : undefined;
    if (priceCents === undefined) problems.push(`price: must be an amount in currency units such as 450.00 (at most 2 decimals), got ${JSON.stringify(raw)}`);
  } else problems.push('price: missing (give price, e.g. 450.00, or priceCents, e.g. 45000)');

  const rawTags = given.get('tags');
  let tags: string[] | undefined;
  if (Array.isArray(rawTags) && rawTags.every((t) => typeof t === 'string')) tags = rawTags.map((t: string) => t.trim());
  // In CSV a cell holds several tags separated by ";" (or "," inside quotes).
  else if (typeof rawTags === 'string') tags = rawTags.split(/[;,]/).map((t) => t.trim()).filter(Boolean);
  else if (rawTags !== undefined) problems.push(`tags: must be a list of text, got ${JSON.stringify(rawTags)}`);

  const name = text('name');
  const species = text('species');
  if (name === undefined && !given.has('name')) problems.push('name: missing');
  if (species === undefined && !given.has('species')) problems.push('species: missing');
  const stock = given.has('stock') ? wholeNumber('stock', given.get('stock'), problems) : (problems.push('stock: missing'), undefined);
  const age = given.has('age') ? wholeNumber('age', given.get('age'), problems) : undefined;
  const breed = text('breed');
  const description = text('description');
  const currency = text('currency')?.toUpperCase();

  if (problems.length > 0) return { row, line, problems };
  const input: PetInput = {
    name: name!,
    species: species!,
    priceCents: priceCents!,
    stock: stock!,
    ...(breed === undefined ? {} : { breed }),
    ...(age === undefined ? {} : { age }),
    ...(description === undefined ? {} : { description }),
    ...(tags === undefined ? {} : { tags }),
    ...(currency === undefined ? {} : { currency }),
  };
  const schemaProblems = petInputProblems(input);
  return schemaProblems.length > 0 ? { row, line, problems: schemaProblems } : { row, line, input };
}

/** Thrown when a file cannot be read as rows at all (not JSON, no header, ...). */
export class BadFileError extends Error {
  override name = 'BadFileError';
}

/** The records of a CSV text (RFC 4180: quoted fields with "" escapes, CRLF or LF), with the line each starts on. */
export function parseCsv(text: string): { line: number; fields: string[] }[] {
  let records: { info: { lines: number }; record: string[] }[];
  try {
    // With `info`, each record comes as { info, record }; the typings do not follow the option.
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as typeof records;
  } catch (error) {
    throw new BadFileError((error as Error).message);
  }
  // csv-parse reports the line a record ends on; a quoted field may span lines.
  const newlines = (fields: string[]) => fields.reduce((n, field) => n + (field.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
  return records.map(({ info, record }) => ({ line: info.lines - newlines(record), fields: record }));
}

/** The data rows of a CSV file: the first record is the header (field names). */
function csvRows(text: string): RawRow[] {
  const [header, ...records] = parseCsv(text);
  if (!header) throw new BadFileError('the file is empty: expected a header line such as name,species,price,stock');
  const names = header.fields.map((name) => name.trim());
  return records.map((record, index) => {
    const values: Record<string, unknown> = {};
    names.forEach((name, i) => (values[name] = record.fields[i]));
    // A short or long record would silently shift values into the wrong columns.
    const problems = record.fields.length === names.length ? [] : [`has ${record.fields.length} fields, the header has ${names.length}`];
    return { row: index + 1, line: record.line, values, problems };
  });
}

/** The rows of a JSON file: an array of pets, or `{ items: [...] }` as `pets list --json` prints. */
function jsonRows(text: string): RawRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new BadFileError(`not JSON: ${(error as Error).message}`);
  }
  const items = Array.isArray(parsed) ? parsed : (parsed as { items?: unknown })?.items;
  if (!Array.isArray(items)) throw new BadFileError('expected an array of pets, or an object with an items array');
  return items.map((item, index) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? { row: index + 1, values: item as Record<string, unknown> }
      : { row: index + 1, values: {}, problems: [`must be an object with the pet's fields, got ${JSON.stringify(item)}`] },
  );
}

/** The rows of a bulk file, by its extension (.json or .csv). */
export function rowsOf(path: string, text: string): RawRow[] {
  const extension = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (extension === 'json') return jsonRows(text);
  if (extension === 'csv') return csvRows(text);
  throw new BadFileError(`cannot tell the format of ${path}: name it .json or .csv`);
}
