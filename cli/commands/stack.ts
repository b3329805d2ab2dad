import { Command, Option } from 'commander';
import { loadConfig } from '../../lib/config';
import { PART_NAMES, StackStartError, stackStatus, startStack, stopStack, type PartName } from '../../stack';
import { CliError, EXIT } from '../errors';
import { render, table, upDown, type Io } from '../output';

const partsOption = () =>
  new Option('--only <parts>', `comma-separated subset of ${PART_NAMES.join(', ')}`).argParser((value: string) => {
    const parts = value.split(',').map((p) => p.trim());
    for (const part of parts) {
      if (!(PART_NAMES as readonly string[]).includes(part)) throw new CliError(`unknown part "${part}" (choose from ${PART_NAMES.join(', ')})`, EXIT.usage);
    }
    return parts as PartName[];
  });

/** `petstore stack start|status|stop`: the local Postgres, Kafka, Temporal and Mailpit. */
export function stackCommand(io: Io): Command {
  const stack = new Command('stack').description('run the local infrastructure: PostgreSQL, Kafka, Temporal (with its UI) and Mailpit (email)');

  stack
    .command('start')
    .description('provision (first run only), start and wait for the local stack; parts already running are reused')
    .addOption(partsOption())
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore stack start\n  $ DATABASE_URL=postgres://me@db/petstore petstore stack start   # Postgres is external: not started')
    .action(async (options: { only?: PartName[]; json?: boolean }) => {
      const config = loadConfig();
      let outcomes: Record<PartName, string>;
      try {
        outcomes = await startStack(config, (line) => io.err(line), options.only);
      } catch (error) {
        // Scripts still learn which parts did start, so they can stop them.
        if (error instanceof StackStartError && options.json) io.out(JSON.stringify({ error: error.message, started: error.outcomes }, null, 2));
        throw error;
      }
      const status = await stackStatus(config);
      const parts = (options.only ?? PART_NAMES).map((name) => ({ name, outcome: outcomes[name], ...status[name] }));
      render(io, options, Object.fromEntries(parts.map(({ name, ...rest }) => [name, rest])), () =>
        table(
          ['part', 'outcome', 'endpoint', 'pid'],
          parts.map((p) => [p.name, p.outcome, p.links?.ui ? `${p.endpoint}  (UI ${p.links.ui})` : p.endpoint, p.pid ?? '-']),
        ),
      );
    });

  stack
    .command('status')
    .description('show whether each part is up, where, and its pid')
    .option('--json', 'print one JSON document: { postgres, kafka, temporal, mailpit }, each with up and endpoint')
    .addHelpText('after', '\nExample:\n  $ petstore stack status --json | jq .kafka.up')
    .action(async (options: { json?: boolean }) => {
      const status = await stackStatus(loadConfig());
      render(io, options, status, (s) =>
        table(
          ['part', 'state', 'endpoint', 'pid', 'managed by'],
          PART_NAMES.map((name) => [name, upDown(s[name].up), s[name].endpoint, s[name].pid ?? '-', s[name].external ? 'external' : 'stack']),
        ) +
          (s.temporal.up && s.temporal.links?.ui ? `\nTemporal UI: ${s.temporal.links.ui}` : '') +
          (s.mailpit.up && s.mailpit.links?.ui ? `\nMailpit (email): ${s.mailpit.links.ui}` : ''),
      );
    });

  stack
    .command('stop')
    .description('stop the parts the stack started (external ones are left alone)')
    .addOption(partsOption())
    .option('--json', 'print the stopped parts as JSON')
    .addHelpText('after', '\nExample:\n  $ petstore stack stop --only kafka')
    .action(async (options: { only?: PartName[]; json?: boolean }) => {
      const stopped = await stopStack(loadConfig(), (line) => io.err(line), options.only);
      render(io, options, { stopped }, ({ stopped: s }) => (s.length ? `stopped ${s.join(', ')}` : 'nothing of the stack was running'));
    });

  return stack;
}
