import { join } from 'node:path';
import { Command, Option } from 'commander';
import { projectRoot } from '../lib/config';
import { authCommand } from './commands/auth';
import { completionCommand } from './commands/completion';
import { migrateCommand, seedCommand } from './commands/database';
import { doctorCommand } from './commands/doctor';
import { eventsCommand } from './commands/events';
import { notificationsCommand } from './commands/notifications';
import { ordersCommand } from './commands/orders';
import { paymentsCommand } from './commands/payments';
import { petsCommand } from './commands/pets';
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
    .addOption(new Option('--api-url <url>', 'where the REST API is (default: PETSTORE_API_URL or http://127.0.0.1:3000)'))
    .addOption(new Option('--token <jwt>', 'bearer token for the REST API (default: PETSTORE_TOKEN); see `petstore auth token`'))
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment: DATABASE_URL, KAFKA_BROKERS, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...\n' +
        'Unset, the local stack (petstore stack start) provides each part.\n\nExample:\n  $ petstore start            # everything, in the foreground\n  $ petstore stack status',
    );
  const commands = [
    petsCommand(io),
    ordersCommand(io),
    paymentsCommand(io),
    notificationsCommand(io),
    eventsCommand(io),
    authCommand(io),
    startCommand(io),
    stackCommand(io),
    serveCommand(),
    migrateCommand(io),
    seedCommand(io),
    doctorCommand(io),
    completionCommand(io),
  ];
  for (const command of commands) program.addCommand(command);
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
