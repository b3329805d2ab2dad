import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore pets`. */
export function petsCommand(_io: Io): Command {
  return new Command('pets');
}
