import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore completion`. */
export function completionCommand(_io: Io): Command {
  return new Command('completion');
}
