import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore payments`. */
export function paymentsCommand(_io: Io): Command {
  return new Command('payments');
}
