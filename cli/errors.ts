import { CommanderError } from 'commander';
import { ConfigError } from '../lib/config';
import { PrerequisiteError } from '../stack';

/** The CLI's exit codes, the same for every command. */
export const EXIT = {
  /** Success. */
  ok: 0,
  /** The command ran and failed (a server down, a request refused). */
  failure: 1,
  /** Bad command line or configuration: nothing was done. */
  usage: 2,
  /** The thing asked for does not exist. */
  notFound: 3,
} as const;
/** One of EXIT's values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error whose message is for the user as it is, with the exit code to end on. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failure,
  ) {
    super(message);
  }
}

/** The one place failures become a message on stderr and an exit code. */
export function exitCodeFor(error: unknown, write: (line: string) => void): ExitCode {
  if (error instanceof CommanderError) {
    // commander has already printed its message (or the help).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof CliError) {
    write(`error: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ConfigError) {
    write(`error: configuration: ${error.message}`);
    return EXIT.usage;
  }
  if (error instanceof PrerequisiteError) {
    write(`error: ${error.message}`);
    return EXIT.failure;
  }
  write(`error: ${error instanceof Error ? error.message : String(error)}`);
  if (process.env.DEBUG && error instanceof Error && error.stack) write(error.stack);
  return EXIT.failure;
}
