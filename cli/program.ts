import { join } from 'node:path';
import { Command } from 'commander';
import { projectRoot } from '../lib/config';
import { authCommand } from './commands/auth';
import { migrateCommand, seedCommand } from './commands/database';
import { doctorCommand } from './commands/doctor';
import { serveCommand } from './commands/serve';
import { stackCommand } from './commands/stack';
import { startCommand } from './commands/start';
import type { Io } from './output';

/** The `petstore` command tree; tests build it with a fake Io. */
export function buildProgram(io: Io): Command {
  const program = new Command('petstore')
    .description('petstore: a pet shop whose orders run as Temporal sagas across four services over Kafka')
    .version((require(join(projectRoot, 'package.json')) as { version: string }).version)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment: DATABASE_URL, KAFKA_BROKERS, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...\n' +
        'Unset, the local stack (petstore stack start) provides each part.\n\nExample:\n  $ petstore start            # everything, in the foreground\n  $ petstore stack status',
    );
  for (const command of [startCommand(io), stackCommand(io), serveCommand(), migrateCommand(io), seedCommand(io), authCommand(io), doctorCommand(io)]) program.addCommand(command);
  // Every subcommand reports usage errors the same way and exits through our handler.
  const configure = (command: Command) => {
    command
      .exitOverride()
      .showHelpAfterError('(run with --help for usage)')
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}
