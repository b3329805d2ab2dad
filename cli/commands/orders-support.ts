import type { Command } from 'commander';
import type { Io } from '../output';

/** Adds the support subcommands that read Temporal and Kafka directly (stuck, explain) to `petstore orders`. */
export function addSupportCommands(_orders: Command, _io: Io): void {
  // Filled in by the support toolkit.
}
