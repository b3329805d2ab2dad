import { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { runUntilSignal } from '../../lib/lifecycle';
import { createLogger } from '../../lib/logger';
import { serveComponents } from '../../runtime/serve';

/** `petstore serve`: the services against already-running infrastructure, in the foreground. */
export function serveCommand(): Command {
  return new Command('serve')
    .description('run the petstore services in the foreground against running Postgres, Kafka and Temporal (Ctrl-C stops)')
    .addHelpText('after', '\nExample:\n  $ TEMPORAL_ADDRESS=temporal.internal:7233 petstore serve')
    .action(async () => {
      const config = loadConfig();
      const logger = createLogger(config.logLevel);
      await runUntilSignal(serveComponents({ config, logger }), logger);
    });
}
