import { Command, Option } from 'commander';
import { createKafka } from '../../kafka/client';
import { kafkaNames, type KafkaNames } from '../../kafka/topics';
import { describeTopics, PartitionCountError, scalePartitions, type TopicLayout } from '../../kafka/topology';
import { loadConfig, type Config } from '../../lib/config';
import { namespaced } from '../../lib/namespace';
import { CliError, EXIT } from '../errors';
import { render, table, type Io } from '../output';

/** What adding partitions does to the order of one order's events; printed by `scale` and kept in README. */
export const ORDERING_NOTE = [
  'Kafka puts a key on partition hash(key) mod partitions, so after the change most order ids map to another partition.',
  "An order in flight then has its earlier events on the old partition and its later ones on the new: each partition keeps its",
  'own order, but a consumer may read the later event before the earlier one until it has caught up on both.',
  "petstore copes: each event of an order's chain is written only after the event before it was applied (the saga waits for",
  'each answer), handlers apply an event once by id, and the two that can race are safe either way round (a cancel before',
  'the reservation voids it; a confirmation only commits a held reservation). Producers and consumers pick up the new',
  'partitions within KAFKA_METADATA_MAX_AGE (default 30s). Kafka cannot remove partitions: scale up only, at a quiet moment.',
].join('\n');

const retention = (ms: string | undefined): string => {
  if (ms === undefined) return '?';
  const n = Number(ms);
  if (n < 0) return 'forever';
  if (n % 86_400_000 === 0) return `${n / 86_400_000}d`;
  if (n % 3_600_000 === 0) return `${n / 3_600_000}h`;
  return `${n}ms`;
};

/** The human view of `events topics`: one block per topic, one row per partition with each group's lag. */
export function renderTopics(topics: readonly TopicLayout[]): string {
  return topics
    .map((t) => {
      const groups = t.lag.map((l) => l.group);
      const head = `${t.topic}: ${t.partitions.length} partition(s), replication factor ${t.replicationFactor}, min.insync.replicas ${t.configs['min.insync.replicas'] ?? '?'}, retention ${retention(t.configs['retention.ms'])}`;
      const rows = t.partitions.map((p) => [
        p.partition,
        p.leader < 0 ? 'none' : p.leader,
        p.replicas.join(','),
        p.isr.length < p.replicas.length ? `${p.isr.join(',')} (short)` : p.isr.join(','),
        ...t.lag.map((l) => l.partitions.find((x) => x.partition === p.partition)?.lag ?? 0),
      ]);
      const totals = t.lag.length > 0 ? `\nlag: ${t.lag.map((l) => `${l.group} ${l.total}`).join(', ')}` : '';
      return `${head}\n${table(['partition', 'leader', 'replicas', 'isr', ...groups.map((g) => `lag ${g}`)], rows)}${totals}`;
    })
    .join('\n\n');
}

const parseCount = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`--partitions must be a whole number of at least 1, got "${value}"`, EXIT.usage);
  return Number(value);
};

/** A topic as given (its full name, or its name without PETSTORE_NAMESPACE's prefix) as it is called on Kafka. */
const resolveTopicName = (names: KafkaNames, topic: string): string => {
  const found = names.allTopics.find((t) => t === topic || t === namespaced(names.namespace, topic));
  if (!found) throw new CliError(`unknown topic "${topic}" (choose from ${names.allTopics.join(', ')})`, EXIT.usage);
  return found;
};

// Help text is built before any configuration is read: it names the topics without the namespace.
const TOPIC_CHOICES = kafkaNames('').allTopics.join(', ');

/** The configuration and the names of its deployment (PETSTORE_NAMESPACE). */
const configured = (): { config: Config; names: KafkaNames } => {
  const config = loadConfig();
  return { config, names: kafkaNames(config.namespace) };
};

/** `petstore events topics [scale]`: the topics' layout and lag, and adding partitions. */
export function topicsCommand(io: Io): Command {
  const topics = new Command('topics')
    .description("describe petstore's topics: partitions, leader, replicas and ISR per partition, retention, each consumer group's lag")
    .argument('[topics...]', `some of ${TOPIC_CHOICES} (default all)`)
    .option('--json', 'print one JSON document: { topics: [{ topic, partitions: [{ partition, leader, replicas, isr }], replicationFactor, configs, lag }] }')
    .addHelpText('after', "\nExample:\n  $ petstore events topics\n  $ petstore events topics orders --json | jq '.topics[0].lag'")
    .action(async (given: string[], options: { json?: boolean }) => {
      const { config, names } = configured();
      const chosen = given.map((topic) => resolveTopicName(names, topic));
      const admin = createKafka(config, { retries: 3 }).admin();
      await admin.connect();
      try {
        const described = await describeTopics(admin, chosen.length > 0 ? chosen : names.allTopics, names.allGroups);
        render(io, options, { topics: described }, ({ topics: t }) => renderTopics(t));
      } finally {
        await admin.disconnect();
      }
    });

  topics
    .command('scale')
    .description('add partitions to a topic (never removes any); prints what that does to the order of events of orders in flight')
    .argument('<topic>', `one of ${TOPIC_CHOICES}`)
    .addOption(new Option('--partitions <n>', 'the new partition count, above the current one').argParser(parseCount).makeOptionMandatory())
    .option('--json', 'print one JSON document: { topic, from, to, ordering }')
    .addHelpText('after', `\n${ORDERING_NOTE}\n\nExample:\n  $ petstore events topics scale orders --partitions 12`)
    .action(async (given: string, own: { partitions: number }, command: Command) => {
      // `topics` has --json too: commander gives it to the parent, wherever it is written.
      const options = command.optsWithGlobals<{ partitions: number; json?: boolean }>();
      const { config, names } = configured();
      const topic = resolveTopicName(names, given);
      const admin = createKafka(config, { retries: 3 }).admin();
      await admin.connect();
      let result: { from: number; to: number };
      try {
        result = await scalePartitions(admin, topic, own.partitions);
      } catch (error) {
        if (error instanceof PartitionCountError) throw new CliError(error.message, EXIT.usage);
        throw error;
      } finally {
        await admin.disconnect();
      }
      render(io, options, { topic, ...result, ordering: ORDERING_NOTE }, (r) => `${r.topic}: ${r.from} → ${r.to} partitions\n\n${r.ordering}`);
    });

  return topics;
}
