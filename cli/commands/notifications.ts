import { Command } from 'commander';
import type { Io } from '../output';

/** `petstore notifications`. */
export function notificationsCommand(_io: Io): Command {
  return new Command('notifications');
}
