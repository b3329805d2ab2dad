import { join } from 'node:path';
import { Command, Option } from 'commander';
import { projectRoot } from '../lib/config';
import { authCommand } from './commands/auth';
import { benchCommand } from './commands/bench';
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
import { webhooksCommand } from './commands/webhooks';
import type { Io } from './output';

/**
 * The root command. Everything after `stack kafka` belongs to one of Kafka's tools, which take
 * --version and --help themselves: the root must not take its own global options from there.
 */
class RootCommand extends Command {
  override parseOptions(args: string[]): ReturnType<Command['parseOptions']> {
    if (args[0] === 'stack' && args[1] === 'kafka') return { operands: ['stack'], unknown: args.slice(1) };
    return super.parseOptions(args);
  }
}

/** The root `petstore` command with its global options and help, holding no groups yet. */
export function rootCommand(): Command {
  return new RootCommand('petstore')
    .description('petstore: a pet shop whose orders run as Temporal sagas across four services over Kafka')
    .version((require(join(projectRoot, 'package.json')) as { version: string }).version)
    .addOption(new Option('--api-url <url>', 'where the REST API is (default: PETSTORE_API_URL or http://127.0.0.1:3000)'))
    .addOption(new Option('--token <jwt>', 'bearer token for the REST API (default: PETSTORE_TOKEN); see `petstore auth token`'))
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment: DATABASE_URL, KAFKA_BROKERS, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, ...\n' +
        'Unset, the local stack (petstore stack start) provides each part.\n\nExample:\n  $ petstore start            # everything, in the foreground\n  $ petstore stack status',
    );
}

/** Makes every command of the tree write through io, show help after a usage error, and throw instead of exiting (index.ts maps the error to an exit code). */
export function wireCommandTree(command: Command, io: Io): Command {
  command
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  command.commands.forEach((sub) => wireCommandTree(sub, io));
  return command;
}

/** Every command group of `petstore`, in the order --help lists them. */
export function commandGroups(io: Io): Command[] {
  return [
    petsCommand(io),
    ordersCommand(io),
    paymentsCommand(io),
    notificationsCommand(io),
    webhooksCommand(io),
    eventsCommand(io),
    authCommand(io),
    startCommand(io),
    stackCommand(io),
    serveCommand(),
    migrateCommand(io),
    seedCommand(io),
    benchCommand(io),
    doctorCommand(io),
    completionCommand(io),
  ];
}

/** The `petstore` command tree; tests build it with a fake Io. */
export function buildProgram(io: Io): Command {
  const program = rootCommand();
  for (const command of commandGroups(io)) program.addCommand(command);
  return wireCommandTree(program, io);
}
