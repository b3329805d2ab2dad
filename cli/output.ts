import Table from 'cli-table3';
import { createColors } from 'picocolors';
import { borderless } from '../lib/borderless';

/**
 * Colours only for a person at a terminal: picocolors on its own also colours whenever CI is set,
 * which would put escape codes into piped output and logs. NO_COLOR turns them off everywhere.
 */
export const pc = createColors(Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env));

/** Where a command writes: data on stdout, progress and diagnostics on stderr. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress is shown only then. */
  interactive: boolean;
}

/** The real terminal. */
export const processIo: Io = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** Output options every data command takes. */
export interface OutputOptions {
  json?: boolean;
}

/** Renders gathered data once: as one JSON document with --json, else through the human renderer. */
export function render<T>(io: Io, options: OutputOptions, data: T, human: (data: T) => string): void {
  io.out(options.json ? JSON.stringify(data, null, 2) : human(data));
}

/** A borderless table for humans. */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({
    head: head.map((h) => pc.bold(h)),
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 2 },
    chars: borderless(' '),
  });
  t.push(...rows.map((row) => row.map(String)));
  return t.toString();
}

/** Green "up" / red "down". */
export const upDown = (up: boolean): string => (up ? pc.green('up') : pc.red('down'));

/** An instant for the human tables: UTC, to the millisecond, without the ISO punctuation; '-' for none. */
export const shortTime = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/Z$/, '') : '-');
