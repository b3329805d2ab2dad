import { Command, Option } from 'commander';
import { loadConfig } from '../../lib/config';
import { runUntilSignal } from '../../lib/lifecycle';
import { createLogger } from '../../lib/logger';
import { serveComponents } from '../../runtime/serve';
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

/** `petstore serve`: the services against already-running infrastructure, in the foreground. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the petstore services in the foreground against running Postgres, Kafka and Temporal (Ctrl-C stops)')
    .addOption(new Option('--service <names>', `comma-separated subset of ${SERVICE_NAMES.join(', ')} (default: all four)`).argParser(parseServices))
    .option('--no-api', 'do not serve the REST API in this process')
    .option('--seed', 'add the demo pet catalogue after migrating')
    .addHelpText(
      'after',
      '\nThe database is migrated on start. The Temporal worker runs with the orders service.\n\nExample:\n  $ petstore serve --service inventory,payments --no-api\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 petstore serve',
    )
    .action(async (options: { service?: ServiceName[]; api: boolean; seed?: boolean }) => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      await runUntilSignal(serveComponents({ config, logger, options: { services: options.service, api: options.api, seed: options.seed } }), logger);
    });
}
