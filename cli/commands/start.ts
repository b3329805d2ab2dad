import { Command } from 'commander';
import { loadConfig } from '../../lib/config';
import { runUntilSignal } from '../../lib/lifecycle';
import { loggerFor } from '../../lib/logger';
import { redactUrl } from '../../lib/redact';
import { serveComponents } from '../../runtime/serve';
import { startStack, StackStartError, stopStack, type PartName } from '../../stack';
import type { Io } from '../output';

/** `petstore start`: the whole system in the foreground; Ctrl-C stops what this command started. */
export function startCommand(io: Io): Command {
  return new Command('start')
    .description('start the local stack (reusing running parts) and the services in the foreground; Ctrl-C stops everything it started')
    .addHelpText('after', '\nThis is what `npm start` runs.\n\nExample:\n  $ petstore start')
    .action(async () => {
      const config = loadConfig();
      const logger = loggerFor(config);
      const progress = (line: string) => io.err(line);
      let ours: PartName[] = [];
      const stopOurs = async () => {
        if (ours.length > 0) await stopStack(config, progress, ours);
      };
      try {
        const outcomes = await startStack(config, progress);
        ours = (Object.keys(outcomes) as PartName[]).filter((name) => outcomes[name] === 'started');
      } catch (error) {
        if (error instanceof StackStartError) {
          ours = (Object.keys(error.outcomes) as PartName[]).filter((name) => error.outcomes[name] === 'started');
          await stopOurs();
        }
        throw error;
      }
      io.err(
        [
          '',
          `  PostgreSQL   ${redactUrl(config.postgres.url)}`,
          `  Kafka        ${config.kafka.brokers.join(',')}`,
          `  Temporal     ${config.temporal.address} (namespace ${config.temporal.namespace})`,
          `  Temporal UI  ${config.temporal.uiUrl}`,
          `  Email        ${config.notifications.mail.external ? redactUrl(config.notifications.mail.smtpUrl) : `SMTP ${config.notifications.mail.smtpUrl}, Mailpit UI ${config.notifications.mail.uiUrl}`}`,
          `  REST API     http://${config.http.host}:${config.http.port} (OpenAPI at /docs, Prometheus metrics at /metrics)`,
          '',
        ].join('\n'),
      );
      await runUntilSignal(serveComponents({ config, logger, options: { seed: true } }), logger, stopOurs);
    });
}
