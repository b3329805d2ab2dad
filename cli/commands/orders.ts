import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore orders`. */
export function ordersCommand(_io: Io): Command {
  return new Command('orders');
}
