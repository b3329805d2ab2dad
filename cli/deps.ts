import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { apiFor, type ApiClient } from './api-client';
import { CliError, EXIT } from './errors';

/** A stream TTY-only progress (bars, spinners) is drawn on. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
}

/** What the data commands take from the outside world: program.ts uses the defaults, tests pass fakes. */
export interface CommandDeps {
  /** The REST client for a command (its global --api-url and --token). */
  api(command: Command): ApiClient;
  /** Waits between polls. */
  sleep(ms: number): Promise<void>;
  /** The current time (durations like --since 1h count back from it). */
  now(): Date;
  /** Asks a yes/no question on the terminal; true for yes. */
  confirm(question: string): Promise<boolean>;
  /** Reads a file the user named (pets add --file). */
  readFile(path: string): Promise<string>;
  /** A fresh Idempotency-Key. */
  newIdempotencyKey(): string;
  /** Where progress is drawn when Io.interactive: the terminal's stderr. */
  progressStream: ProgressStream;
}

async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new CliError('cannot ask for confirmation: stdin is not a terminal; pass --yes', EXIT.usage);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

/** The real world. */
export const defaultDeps: CommandDeps = {
  api: apiFor,
  sleep: (ms) => delay(ms),
  now: () => new Date(),
  confirm: confirmOnTerminal,
  readFile: async (path) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, EXIT.usage);
    }
  },
  newIdempotencyKey: () => randomUUID(),
  progressStream: process.stderr,
};

/** The defaults with the given parts replaced. */
export const withDefaults = (deps: Partial<CommandDeps> = {}): CommandDeps => ({ ...defaultDeps, ...deps });
