import { Command, Option } from 'commander';
import { loadConfig, loadConfigWith, type Config } from '../../lib/config';
import { KAFKA_TOOLS, runKafkaTool } from '../../stack/kafka-tools';
import type { ClusterStatus } from '../../stack/part';
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

const brokersOption = () =>
  new Option('--kafka-brokers <n>', 'local Kafka nodes (default PETSTORE_KAFKA_BROKERS_COUNT, else 1); 3 gives replicated topics').argParser((value: string) => {
    if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`--kafka-brokers must be a whole number of at least 1, got "${value}"`, EXIT.usage);
    return Number(value);
  });

/** The config, with --kafka-brokers standing in for PETSTORE_KAFKA_BROKERS_COUNT. */
const configFor = (options: { kafkaBrokers?: number }): Config =>
  loadConfigWith(options.kafkaBrokers === undefined ? {} : { PETSTORE_KAFKA_BROKERS_COUNT: String(options.kafkaBrokers) });

/** The human view of a Kafka cluster: each broker, who leads the quorum, what is under-replicated. */
export function renderCluster(cluster: ClusterStatus): string {
  const lines = [
    table(
      ['broker', 'endpoint', 'state', 'pid', 'controller', 'leads'],
      cluster.brokers.map((b) => [
        b.nodeId,
        b.endpoint,
        upDown(b.up),
        b.pid ?? '-',
        cluster.controllerLeader === undefined ? '?' : cluster.controllerLeader === b.nodeId ? 'leader' : 'follower',
        `${b.leaderOf} partition(s)`,
      ]),
    ),
  ];
  const short = cluster.underReplicated;
  lines.push(
    short.length === 0
      ? 'under-replicated partitions: none'
      : `under-replicated partitions: ${short.length}\n${table(
          ['topic', 'partition', 'leader', 'replicas', 'isr'],
          short.map((p) => [p.topic, p.partition, p.leader < 0 ? 'none' : p.leader, p.replicas.join(','), p.isr.join(',')]),
        )}`,
  );
  return lines.join('\n');
}

/** `petstore stack start|status|stop`: the local Postgres, Kafka, Temporal and Mailpit. */
export function stackCommand(io: Io): Command {
  const stack = new Command('stack').description('run the local infrastructure: PostgreSQL, Kafka, Temporal (with its UI) and Mailpit (email)');

  stack
    .command('start')
    .description('provision (first run only), start and wait for the local stack; parts already running are reused')
    .addOption(partsOption())
    .addOption(brokersOption())
    .option('--json', 'print one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore stack start\n  $ petstore stack start --kafka-brokers 3   # three KRaft nodes, topics with 3 replicas and min.insync.replicas 2\n  $ DATABASE_URL=postgres://me@db/petstore petstore stack start   # Postgres is external: not started')
    .action(async (options: { only?: PartName[]; kafkaBrokers?: number; json?: boolean }) => {
      const config = configFor(options);
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
    .description('show whether each part is up, where, and its pid; with several Kafka brokers, each broker, the controller leader and under-replicated partitions')
    .addOption(brokersOption())
    .option('--json', 'print one JSON document: { postgres, kafka, temporal, mailpit }, each with up and endpoint (kafka.cluster with several brokers)')
    .addHelpText('after', '\nExample:\n  $ petstore stack status --json | jq .kafka.up\n  $ petstore stack status --kafka-brokers 3 --json | jq .kafka.cluster.controllerLeader')
    .action(async (options: { kafkaBrokers?: number; json?: boolean }) => {
      const status = await stackStatus(configFor(options));
      render(io, options, status, (s) =>
        table(
          ['part', 'state', 'endpoint', 'pid', 'managed by'],
          PART_NAMES.map((name) => [name, upDown(s[name].up), s[name].endpoint, s[name].pid ?? '-', s[name].external ? 'external' : 'stack']),
        ) +
          (s.temporal.up && s.temporal.links?.ui ? `\nTemporal UI: ${s.temporal.links.ui}` : '') +
          (s.mailpit.up && s.mailpit.links?.ui ? `\nMailpit (email): ${s.mailpit.links.ui}` : '') +
          (s.kafka.cluster ? `\n\nKafka cluster:\n${renderCluster(s.kafka.cluster)}` : ''),
      );
    });

  stack
    .command('stop')
    .description('stop the parts the stack started (external ones are left alone)')
    .addOption(partsOption())
    .addOption(brokersOption())
    .option('--json', 'print the stopped parts as JSON')
    .addHelpText('after', '\nExample:\n  $ petstore stack stop --only kafka')
    .action(async (options: { only?: PartName[]; kafkaBrokers?: number; json?: boolean }) => {
      const stopped = await stopStack(configFor(options), (line) => io.err(line), options.only);
      render(io, options, { stopped }, ({ stopped: s }) => (s.length ? `stopped ${s.join(', ')}` : 'nothing of the stack was running'));
    });

  stack.addCommand(kafkaToolsCommand(io));
  return stack;
}

/** What `petstore stack kafka --help` prints: every tool, and how the brokers are filled in. */
export function kafkaToolsHelp(): string {
  const width = Math.max(...Object.keys(KAFKA_TOOLS).map((name) => name.length));
  return [
    "Usage: petstore stack kafka <tool> [args...]",
    '',
    "Runs one of Kafka's own command-line tools (the kafka-tools jars of the broker's version, on the",
    "stack's cached classpath): `kafka-topics.sh ...` is `petstore stack kafka topics ...`. The stack's",
    'brokers (KAFKA_BROKERS, else the local broker) are passed as --bootstrap-server unless you give one;',
    "stdin, stdout and the exit code are the tool's. `petstore stack kafka <tool> --help` shows a tool's options.",
    '',
    'Tools:',
    ...Object.entries(KAFKA_TOOLS).map(([name, tool]) => `  ${name.padEnd(width)}  ${tool.about}`),
    '',
    'Example:',
    '  $ petstore stack kafka topics --list',
    '  $ petstore stack kafka consumer-groups --describe --all-groups',
    '  $ petstore stack kafka console-consumer --topic orders --from-beginning --property print.key=true',
  ].join('\n');
}

/** `petstore stack kafka <tool> [args...]`: everything after the tool's name is the tool's, --help included. */
function kafkaToolsCommand(io: Io): Command {
  return new Command('kafka')
    .description("run one of Kafka's command-line tools (topics, consumer-groups, console-consumer, ...) against the stack's brokers")
    .usage('<tool> [args...]')
    .argument('[tool]', 'the tool: kafka-<tool>.sh of a Kafka distribution')
    .argument('[args...]', "the tool's own arguments")
    // The tool parses its arguments: commander must neither take --help nor refuse the tool's options.
    .helpOption(false)
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (_tool: unknown, _args: unknown, _options: unknown, command: Command) => {
      const [name, ...args] = command.args;
      if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
        io.out(kafkaToolsHelp());
        return;
      }
      if (!Object.hasOwn(KAFKA_TOOLS, name)) throw new CliError(`unknown Kafka tool "${name}" (choose from ${Object.keys(KAFKA_TOOLS).join(', ')}; petstore stack kafka --help)`, EXIT.usage);
      process.exitCode = await runKafkaTool(loadConfig(), KAFKA_TOOLS[name]!, args, (line) => io.err(line));
    });
}
