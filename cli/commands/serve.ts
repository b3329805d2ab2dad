import { Command, Option } from 'commander';
import { loadConfig } from '../../lib/config';
import { runUntilSignal } from '../../lib/lifecycle';
import { loggerFor } from '../../lib/logger';
import { ROLES, serveComponents, type Role } from '../../runtime/serve';
import { SERVICE_NAMES, type ServiceName } from '../../services';
import { CliError, EXIT } from '../errors';

/** Parses a comma-separated list of service names. */
export const parseServices = (value: string): ServiceName[] => {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) throw new CliError(`unknown service "${name}" (choose from ${SERVICE_NAMES.join(', ')})`, EXIT.usage);
  }
  return names as ServiceName[];
};

/** Parses a comma-separated list of roles (relay, consumers, worker, api). */
export const parseRoles = (value: string): Role[] => {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(ROLES as readonly string[]).includes(name)) throw new CliError(`unknown role "${name}" (choose from ${ROLES.join(', ')})`, EXIT.usage);
  }
  return names as Role[];
};

/** `petstore serve`: the services against already-running infrastructure, in the foreground. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the petstore services in the foreground against running Postgres, Kafka and Temporal (Ctrl-C stops)')
    .addOption(new Option('--service <names>', `comma-separated subset of ${SERVICE_NAMES.join(', ')} (default: all four)`).argParser(parseServices))
    .addOption(new Option('--only <roles>', `comma-separated subset of ${ROLES.join(', ')} (default: all)`).argParser(parseRoles))
    .option('--no-api', 'do not serve the REST API in this process')
    .option('--seed', 'add the demo pet catalogue after migrating')
    .addHelpText(
      'after',
      '\nThe database is migrated on start. The Temporal worker runs with the orders service.\nEach role can run in its own processes, as many as needed: consumers share their group\'s partitions, workers share the task queue, and one relay per schema publishes at a time.\n\nExample:\n  $ petstore serve --service inventory,payments --no-api\n  $ petstore serve --service orders --only worker\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 petstore serve',
    )
    .action(async (options: { service?: ServiceName[]; only?: Role[]; api: boolean; seed?: boolean }) => {
      const config = loadConfig();
      const logger = loggerFor(config);
      await runUntilSignal(serveComponents({ config, logger, options: { services: options.service, roles: options.only, api: options.api, seed: options.seed } }), logger);
    });
}
