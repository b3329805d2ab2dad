import { Command, Option } from 'commander';
import { createDb } from '../../db/knex';
import { createKafka } from '../../kafka/client';
import { createProducer } from '../../kafka/producer';
import { CONSUMER_GROUPS, kafkaNames, TOPICS, type ConsumerGroup, type KafkaNames } from '../../kafka/topics';
import { loadConfig } from '../../lib/config';
import {
  findDeadLetters,
  operatorName,
  parseDlqId,
  postgresReplayStore,
  readDeadLetters,
  replayDeadLetters,
  resolveGroup,
  withReplays,
  type DeadLetter,
  type LetterWithRecord,
  type ReplayOutcome,
} from '../../support/dlq';
import { SupportInputError } from '../../support/errors';
import { summarize } from '../../support/timeline';
import { checkTopic, tailTopic, type TailedMessage } from '../../support/tail';
import { CliError, EXIT } from '../errors';
import { render, shortTime, table, type Io } from '../output';
import { rebuildCommand } from './rebuild';
import { topicsCommand } from './topics';

/** Runs fn, turning the support tools' input errors into usage errors (exit 2). */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof SupportInputError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}

const parseLimit = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new CliError(`--limit must be a whole number of at least 1, got "${value}"`, EXIT.usage);
  return Number(value);
};
/** The names of the deployment the environment configures (PETSTORE_NAMESPACE). */
const configuredNames = (): KafkaNames => kafkaNames(loadConfig().namespace);
const parseGroup = (value: string): ConsumerGroup => asUsage(() => resolveGroup(configuredNames(), value));
// Help text is built before any configuration is read: it names topics and groups without the namespace.
const GROUP_CHOICES = `${Object.keys(CONSUMER_GROUPS).join(', ')}, or its full name`;

/** One tailed message in one line: time, where, type, order id and a short look at the data. */
export function formatTailLine(m: TailedMessage): string {
  const where = `${m.topic}[${m.partition}]@${m.offset}`;
  const e = (m.event ?? {}) as { type?: unknown; orderId?: unknown; time?: unknown; data?: unknown };
  if (m.event === null || typeof m.event !== 'object' || typeof e.type !== 'string') {
    const raw = m.value ?? JSON.stringify(m.event);
    return `${shortTime(m.timestamp)}  ${where}  (not an event)  key=${m.key ?? '-'}  ${raw.length > 80 ? `${raw.slice(0, 79)}…` : raw}`;
  }
  const time = typeof e.time === 'string' ? e.time : m.timestamp;
  return `${shortTime(time)}  ${where}  ${e.type}  ${typeof e.orderId === 'string' ? e.orderId : (m.key ?? '-')}  ${summarize(e.data, { omit: ['paymentToken'], max: 100 })}`;
}

/** The human view of `events dlq list`. */
export function renderDeadLetters({ groups, letters }: { groups: readonly string[]; letters: DeadLetter[] }): string {
  if (letters.length === 0) return `no dead letters in ${groups.map((g) => `${g}.dlq`).join(', ')}`;
  const replayedCount = letters.filter((l) => l.replayed).length;
  return [
    table(
      ['id', 'from', 'error', 'attempts', 'failed at (UTC)', 'event', 'order', 'replayed'],
      letters.map((l) => [
        l.id,
        l.originalTopic ? `${l.originalTopic}[${l.originalPartition ?? '?'}]@${l.originalOffset ?? '?'}` : '?',
        (l.error ?? '?').length > 60 ? `${(l.error ?? '').slice(0, 59)}…` : (l.error ?? '?'),
        l.attempts ?? '?',
        shortTime(l.failedAt),
        l.eventType ?? (l.invalid ? '(invalid)' : '-'),
        l.orderId ?? l.key ?? '-',
        l.replayed ? `yes, ${shortTime(l.replayed.at)}` : 'no',
      ]),
    ),
    `${letters.length} dead letter(s), ${replayedCount} replayed`,
  ].join('\n');
}

/** The human view of `events dlq replay`. */
export function renderReplay({ dryRun, outcomes }: { dryRun: boolean; outcomes: ReplayOutcome[] }): string {
  if (outcomes.length === 0) return 'no dead letters to replay';
  const lines = [
    table(
      ['id', 'action', 'to topic', 'event', 'order', 'note'],
      outcomes.map((o) => [o.id, o.action, o.topic ?? '-', o.eventType ?? '-', o.orderId ?? '-', o.note ?? '']),
    ),
  ];
  const count = (action: ReplayOutcome['action']) => outcomes.filter((o) => o.action === action).length;
  if (dryRun) lines.push(`dry run: nothing was sent; add --yes to replay ${count('would replay')} letter(s)`);
  else lines.push(`replayed ${count('replayed')}, already replayed ${count('already replayed')}, not replayable ${count('not replayable')}, not found ${count('not found')}`);
  return lines.join('\n');
}

function tailCommand(io: Io): Command {
  return new Command('tail')
    .description('print the messages of a topic as they arrive (Ctrl-C stops): time, type, order id and a short look at the data')
    .argument('<topic>', `${Object.values(TOPICS).join(', ')} or a dead-letter topic (<group>.dlq); without PETSTORE_NAMESPACE's prefix, or with it`)
    .option('--from-beginning', 'start at the oldest message kept instead of the newest')
    .option('--key <orderId>', "only this order's messages (reads only the partition its key maps to)")
    .addOption(new Option('--limit <n>', 'stop after n messages').argParser(parseLimit))
    .option('--json', 'print NDJSON: one { topic, partition, offset, timestamp, key, headers, event } per line')
    .addHelpText('after', '\nExample:\n  $ petstore events tail orders\n  $ petstore events tail payments --from-beginning --key 353d3970-4ff1-43ad-bf02-1634e2265816 --limit 5 --json')
    .action(async (topic: string, options: { fromBeginning?: boolean; key?: string; limit?: number; json?: boolean }) => {
      const config = loadConfig();
      const names = kafkaNames(config.namespace);
      const found = asUsage(() => checkTopic(names, topic));
      const kafka = createKafka(config, { retries: 3 });
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (io.interactive) io.err(`following ${found}${options.key ? ` for key ${options.key}` : ''}${options.fromBeginning ? ' from the beginning' : ''}; Ctrl-C stops`);
      try {
        const shown = await tailTopic(kafka, {
          names,
          topic: found,
          fromBeginning: Boolean(options.fromBeginning),
          ...(options.key === undefined ? {} : { key: options.key }),
          ...(options.limit === undefined ? {} : { limit: options.limit }),
          signal: controller.signal,
          onMessage: (message) => io.out(options.json ? JSON.stringify(message) : formatTailLine(message)),
        });
        if (io.interactive) io.err(`${shown} message(s)`);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}

function dlqCommand(io: Io): Command {
  const dlq = new Command('dlq').description("the consumer groups' dead-letter topics: list what is parked there and replay it");

  dlq
    .command('list')
    .description('the dead letters of one group or all: id, original topic/partition/offset, error, attempts, failed at, event and order, replayed or not')
    .addOption(new Option('--group <name>', `one consumer group (${GROUP_CHOICES})`).argParser(parseGroup))
    .option('--json', 'print one JSON document: { groups, letters: [...] }')
    .addHelpText('after', '\nExample:\n  $ petstore events dlq list --group inventory\n  $ petstore events dlq list --json | jq -r \'.letters[] | select(.replayed == null) | .id\'')
    .action(async (options: { group?: ConsumerGroup; json?: boolean }) => {
      const config = loadConfig();
      const names = kafkaNames(config.namespace);
      const groups = options.group ? [options.group] : names.allGroups;
      const db = createDb(config, { poolMax: 2 });
      let letters: LetterWithRecord[];
      try {
        const [read, replays] = await Promise.all([readDeadLetters(createKafka(config, { retries: 3 }), names, groups), postgresReplayStore(db).replayed(groups)]);
        letters = withReplays(read, replays);
      } finally {
        await db.destroy();
      }
      render(io, options, { groups, letters: letters.map((l) => l.letter) }, renderDeadLetters);
    });

  dlq
    .command('replay')
    .description('re-publish dead letters to the topic they failed on (original key, value and headers), each once; a dry run without --yes')
    .argument('[ids...]', 'dead-letter ids as `events dlq list` prints them (<group>:<partition>:<offset>)')
    .option('--all', 'every dead letter not replayed yet (of --group, or of every group)')
    .addOption(new Option('--group <name>', `with --all: one consumer group (${GROUP_CHOICES})`).argParser(parseGroup))
    .option('--yes', 'replay for real (without it: only say what would be replayed)')
    .option('--json', 'print one JSON document: { dryRun, outcomes: [{ id, action, topic, eventType, orderId, note }] }')
    .addHelpText(
      'after',
      '\nA replayed letter goes to every group reading its topic again; they skip events they have applied (by event id).\n\nExample:\n  $ petstore events dlq replay petstore-inventory:0:12            # dry run\n  $ petstore events dlq replay petstore-inventory:0:12 --yes\n  $ petstore events dlq replay --all --group payments --yes',
    )
    .action(async (ids: string[], options: { all?: boolean; group?: ConsumerGroup; yes?: boolean; json?: boolean }) => {
      if (options.all && ids.length > 0) throw new CliError('give dead-letter ids or --all, not both', EXIT.usage);
      if (!options.all && ids.length === 0) throw new CliError('name the dead letters to replay (ids from `petstore events dlq list`) or pass --all', EXIT.usage);
      if (options.group && !options.all) throw new CliError('--group goes with --all (ids already name their group)', EXIT.usage);
      const config = loadConfig();
      const names = kafkaNames(config.namespace);
      asUsage(() => ids.forEach((id) => parseDlqId(names, id)));
      const kafka = createKafka(config, { retries: 3 });
      const db = createDb(config, { poolMax: 2 });
      const store = postgresReplayStore(db);
      const dryRun = !options.yes;
      const producer = createProducer(kafka);
      let connected = false;
      let outcomes: ReplayOutcome[];
      let missing: string[] = [];
      try {
        let letters: LetterWithRecord[];
        if (options.all) {
          const groups = options.group ? [options.group] : names.allGroups;
          const replays = await store.replayed(groups);
          // --all means the letters still waiting: those replayed before are left out rather than listed again.
          letters = (await readDeadLetters(kafka, names, groups)).filter((l) => !replays.has(l.letter.id));
        } else {
          ({ found: letters, missing } = await findDeadLetters(kafka, names, ids));
        }
        if (!dryRun && letters.length > 0) {
          await producer.connect();
          connected = true;
        }
        outcomes = await replayDeadLetters({
          names,
          letters,
          store,
          by: operatorName(),
          dryRun,
          publish: async (topic, message) => {
            await producer.send({ topic, acks: -1, messages: [{ key: message.key, value: message.value, headers: message.headers }] });
          },
          onProgress: (done, total, outcome) => {
            if (io.interactive && !dryRun) io.err(`[${done}/${total}] ${outcome.id}: ${outcome.action}`);
          },
        });
      } finally {
        if (connected) await producer.disconnect();
        await db.destroy();
      }
      outcomes.push(...missing.map((id): ReplayOutcome => ({ id, action: 'not found', topic: null, eventType: null, orderId: null, note: 'no such letter in its dead-letter topic' })));
      render(io, options, { dryRun, outcomes }, renderReplay);
      if (missing.length > 0) throw new CliError(`not found: ${missing.join(', ')}`, EXIT.notFound);
    });

  return dlq;
}

/** `petstore events tail|topics|dlq list|dlq replay|rebuild`: the event topics, the dead letters and the projections built from the topics. */
export function eventsCommand(io: Io): Command {
  return new Command('events')
    .description('follow the event topics, describe and scale them, inspect or replay the dead-letter topics, and rebuild projections from them')
    .addHelpText('after', '\nExample:\n  $ petstore events tail orders --key <orderId>\n  $ petstore events dlq list')
    .addCommand(tailCommand(io))
    .addCommand(topicsCommand(io))
    .addCommand(dlqCommand(io))
    .addCommand(rebuildCommand(io));
}
