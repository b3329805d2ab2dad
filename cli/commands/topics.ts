import { Command, Option } from 'commander';
import { createKafka } from '../../kafka/client';
import { allTopics, CONSUMER_GROUPS } from '../../kafka/topics';
import { describeTopics, PartitionCountError, scalePartitions, type TopicLayout } from '../../kafka/topology';
import { loadConfig } from '../../lib/config';
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

const checkTopicName = (topic: string): void => {
  if (!allTopics().includes(topic)) throw new CliError(`unknown topic "${topic}" (choose from ${allTopics().join(', ')})`, EXIT.usage);
};

/** `petstore events topics [scale]`: the topics' layout and lag, and adding partitions. */
export function topicsCommand(io: Io): Command {
  const topics = new Command('topics')
    .description("describe petstore's topics: partitions, leader, replicas and ISR per partition, retention, each consumer group's lag")
    .argument('[topics...]', `some of ${allTopics().join(', ')} (default all)`)
    .option('--json', 'print one JSON document: { topics: [{ topic, partitions: [{ partition, leader, replicas, isr }], replicationFactor, configs, lag }] }')
    .addHelpText('after', "\nExample:\n  $ petstore events topics\n  $ petstore events topics orders --json | jq '.topics[0].lag'")
    .action(async (names: string[], options: { json?: boolean }) => {
      names.forEach(checkTopicName);
      const admin = createKafka(loadConfig(), { retries: 3 }).admin();
      await admin.connect();
      try {
        const described = await describeTopics(admin, names.length > 0 ? names : allTopics(), Object.values(CONSUMER_GROUPS));
        render(io, options, { topics: described }, ({ topics: t }) => renderTopics(t));
      } finally {
        await admin.disconnect();
      }
    });

  topics
    .command('scale')
    .description('add partitions to a topic (never removes any); prints what that does to the order of events of orders in flight')
    .argument('<topic>', `one of ${allTopics().join(', ')}`)
    .addOption(new Option('--partitions <n>', 'the new partition count, above the current one').argParser(parseCount).makeOptionMandatory())
    .option('--json', 'print one JSON document: { topic, from, to, ordering }')
    .addHelpText('after', `\n${ORDERING_NOTE}\n\nExample:\n  $ petstore events topics scale orders --partitions 12`)
    .action(async (topic: string, own: { partitions: number }, command: Command) => {
      // `topics` has --json too: commander gives it to the parent, wherever it is written.
      const options = command.optsWithGlobals<{ partitions: number; json?: boolean }>();
      checkTopicName(topic);
      const admin = createKafka(loadConfig(), { retries: 3 }).admin();
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
