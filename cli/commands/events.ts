import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore events`. */
export function eventsCommand(_io: Io): Command {
  return new Command('events');
}
