// The dead-letter topics as support sees them: what is parked there and why, and replaying a
// letter to the topic it failed on, once, recorded in support.dlq_replays.
import { hostname, userInfo } from 'node:os';
import type { IHeaders, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import { DLQ_HEADERS } from '../kafka/consumer';
import { eventTypeOfHeaders, parseEvent, readHeaders } from '../kafka/envelope';
import { dlqTopic, type ConsumerGroup, type GroupOwner, type KafkaNames } from '../kafka/topics';
import { namespaced } from '../lib/namespace';
import { SupportInputError } from './errors';
import { allPartitions, readPartitions, type PartitionRange, type ReadRecord } from './kafka-reader';

/** A dead letter: where it is, where it came from, why it failed, and whether it was replayed. */
export interface DeadLetter {
  /** `<group>:<partition>:<offset>` of the letter in the group's dead-letter topic. */
  id: string;
  group: ConsumerGroup;
  partition: number;
  offset: string;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: string | null;
  error: string | null;
  attempts: number | null;
  failedAt: string | null;
  key: string | null;
  eventId: string | null;
  eventType: string | null;
  orderId: string | null;
  /** Why the value is not a valid event, when it is not. */
  invalid: string | null;
  replayed: ReplayRecord | null;
}

/** When and by whom a letter was replayed. */
export interface ReplayRecord {
  at: string;
  by: string;
}

/** A letter together with the message as it sits in the dead-letter topic (what replay re-publishes). */
export interface LetterWithRecord {
  letter: DeadLetter;
  record: ReadRecord;
}

/** The id of the letter at this place of a group's dead-letter topic. */
export const dlqId = (group: string, partition: number, offset: string): string => `${group}:${partition}:${offset}`;

/**
 * A consumer group of the deployment by its full name (petstore-inventory, or staging.petstore-inventory
 * in namespace staging), its name without the namespace, or its service's name (inventory).
 */
export function resolveGroup(names: KafkaNames, name: string): ConsumerGroup {
  const found =
    names.allGroups.find((group) => group === name || group === namespaced(names.namespace, name)) ??
    (Object.hasOwn(names.groups, name) ? names.groups[name as GroupOwner] : undefined);
  if (!found) throw new SupportInputError(`unknown consumer group "${name}" (choose from ${names.allGroups.join(', ')})`);
  return found;
}

/** Parses `<group>:<partition>:<offset>` as `events dlq list` prints it. */
export function parseDlqId(names: KafkaNames, id: string): { group: ConsumerGroup; partition: number; offset: string } {
  const match = /^(.+):(\d{1,9}):(\d{1,19})$/.exec(id.trim());
  if (!match) throw new SupportInputError(`"${id}" is not a dead-letter id: expected <group>:<partition>:<offset>, e.g. ${names.groups.inventory}:0:12 (see \`petstore events dlq list\`)`);
  return { group: resolveGroup(names, match[1]!), partition: Number(match[2]), offset: BigInt(match[3]!).toString() };
}

const headerNames = new Set<string>(Object.values(DLQ_HEADERS));

/** The letter's headers without what dead-lettering added: what the original message carried. */
export function stripDlqHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !headerNames.has(name)));
}

const intOrNull = (text: string | undefined): number | null => (text !== undefined && /^\d+$/.test(text) ? Number(text) : null);

/** Reads what a dead-lettered message says about itself: the dlq_* headers and, when it parses, its envelope. */
export function describeDeadLetter(group: ConsumerGroup, record: ReadRecord): DeadLetter {
  const headers = readHeaders(record.headers);
  let eventId: string | null = headers.ce_id ?? null;
  let eventType: string | null = eventTypeOfHeaders(record.headers) ?? headers.ce_type ?? null;
  let orderId: string | null = headers.ce_subject ?? null;
  let invalid: string | null = null;
  try {
    const event = parseEvent(record.value, record.headers, record.key);
    ({ id: eventId, type: eventType, orderId } = event);
  } catch (error) {
    invalid = (error as Error).message;
    // Not a valid event, but it may still be JSON that says what it meant to be.
    try {
      const raw = JSON.parse(record.value?.toString('utf8') ?? '') as Record<string, unknown>;
      if (raw && typeof raw === 'object') {
        if (typeof raw.id === 'string') eventId ??= raw.id;
        if (typeof raw.type === 'string') eventType ??= raw.type;
        if (typeof raw.orderId === 'string') orderId ??= raw.orderId;
      }
    } catch {
      // Not JSON at all: `invalid` already says so.
    }
  }
  return {
    id: dlqId(group, record.partition, record.offset),
    group,
    partition: record.partition,
    offset: record.offset,
    originalTopic: headers[DLQ_HEADERS.topic] ?? null,
    originalPartition: intOrNull(headers[DLQ_HEADERS.partition]),
    originalOffset: headers[DLQ_HEADERS.offset] ?? null,
    error: headers[DLQ_HEADERS.error] ?? null,
    attempts: intOrNull(headers[DLQ_HEADERS.attempts]),
    failedAt: headers[DLQ_HEADERS.failedAt] ?? null,
    key: record.key?.toString('utf8') ?? null,
    eventId,
    eventType,
    orderId,
    invalid,
    replayed: null,
  };
}

/** Where replays are recorded; the Postgres one is `postgresReplayStore`, tests pass a fake. */
export interface ReplayStore {
  /** The replays recorded for these groups, by letter id. */
  replayed(groups: readonly ConsumerGroup[]): Promise<Map<string, ReplayRecord>>;
  /**
   * Records the replay and, in the same transaction, runs `publish`; undefined (and no publish)
   * when the letter was replayed before. A failed publish records nothing.
   */
  recordAndPublish(letter: DeadLetter, by: string, publish: () => Promise<void>): Promise<ReplayRecord | undefined>;
}

const REPLAYS = { schema: 'support', table: 'dlq_replays' } as const;

function explainMissingTable(error: unknown): never {
  if ((error as { code?: string }).code === '42P01') {
    throw new Error(`${REPLAYS.schema}.${REPLAYS.table} does not exist: run \`petstore migrate\` against this database first`);
  }
  throw error;
}

/** The replay record in support.dlq_replays (migration 20261124160100_dlq_replays). */
export function postgresReplayStore(db: Knex): ReplayStore {
  const table = (k: Knex | Knex.Transaction) => k.withSchema(REPLAYS.schema).table(REPLAYS.table);
  return {
    async replayed(groups) {
      const rows = (await table(db)
        .select('consumer_group', 'dlq_partition', 'dlq_offset', 'replayed_at', 'replayed_by')
        .whereIn('consumer_group', [...groups])
        .catch(explainMissingTable)) as { consumer_group: string; dlq_partition: number; dlq_offset: string; replayed_at: Date; replayed_by: string }[];
      return new Map(rows.map((r) => [dlqId(r.consumer_group, r.dlq_partition, String(r.dlq_offset)), { at: r.replayed_at.toISOString(), by: r.replayed_by }]));
    },
    async recordAndPublish(letter, by, publish) {
      return db
        .transaction(async (trx) => {
          // The insert comes first: a second replay of the same letter, even a concurrent one, waits on the key and then finds it.
          const inserted = (await table(trx)
            .insert({
              consumer_group: letter.group,
              dlq_partition: letter.partition,
              dlq_offset: letter.offset,
              event_id: letter.eventId,
              original_topic: letter.originalTopic,
              replayed_by: by,
            })
            .onConflict(['consumer_group', 'dlq_partition', 'dlq_offset'])
            .ignore()
            .returning(['replayed_at'])) as { replayed_at: Date }[];
          if (inserted.length === 0) return undefined;
          await publish();
          return { at: inserted[0]!.replayed_at.toISOString(), by };
        })
        .catch(explainMissingTable);
    },
  };
}

/** Who is replaying: the operator's login and machine, as recorded in replayed_by. */
export function operatorName(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for this uid (a container, say): the host still says where it came from.
    user = `uid ${process.getuid?.() ?? '?'}`;
  }
  return `${user}@${hostname()}`;
}

/** Reads every letter in the groups' dead-letter topics, oldest first per partition. */
export async function readDeadLetters(kafka: Kafka, names: KafkaNames, groups: readonly ConsumerGroup[]): Promise<LetterWithRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ranges: PartitionRange[];
  try {
    ranges = await allPartitions(admin, groups.map(dlqTopic));
  } finally {
    await admin.disconnect();
  }
  const records = await readPartitions(kafka, ranges, { names });
  const groupOf = new Map(groups.map((g) => [dlqTopic(g), g]));
  return records.map((record) => ({ letter: describeDeadLetter(groupOf.get(record.topic)!, record), record }));
}

/** Reads the letters with these ids; the ids not found in their topic come back in `missing`. */
export async function findDeadLetters(kafka: Kafka, names: KafkaNames, ids: string[]): Promise<{ found: LetterWithRecord[]; missing: string[] }> {
  const wanted = [...new Map(ids.map((id) => parseDlqId(names, id)).map((w) => [dlqId(w.group, w.partition, w.offset), w])).values()];
  // One range per partition, from the lowest offset asked for to just past the highest.
  const byPartition = new Map<string, { group: ConsumerGroup; partition: number; offsets: bigint[] }>();
  for (const w of wanted) {
    const slot = byPartition.get(`${w.group}:${w.partition}`) ?? { group: w.group, partition: w.partition, offsets: [] };
    slot.offsets.push(BigInt(w.offset));
    byPartition.set(`${w.group}:${w.partition}`, slot);
  }
  const ranges = [...byPartition.values()].map(({ group, partition, offsets }) => ({
    topic: dlqTopic(group),
    partition,
    fromOffset: offsets.reduce((a, b) => (a < b ? a : b)).toString(),
    toOffset: (offsets.reduce((a, b) => (a > b ? a : b)) + 1n).toString(),
  }));
  const groupOf = new Map(names.allGroups.map((g) => [dlqTopic(g), g]));
  const records = ranges.length ? await readPartitions(kafka, ranges, { names }) : [];
  const read = new Map(records.map((record) => [dlqId(groupOf.get(record.topic)!, record.partition, record.offset), record]));
  const found: LetterWithRecord[] = [];
  const missing: string[] = [];
  for (const w of wanted) {
    const id = dlqId(w.group, w.partition, w.offset);
    const record = read.get(id);
    if (record) found.push({ letter: describeDeadLetter(w.group, record), record });
    else missing.push(id);
  }
  return { found, missing };
}

/** Marks each letter with its replay, when it has one. */
export function withReplays(letters: LetterWithRecord[], replays: Map<string, ReplayRecord>): LetterWithRecord[] {
  return letters.map(({ letter, record }) => ({ letter: { ...letter, replayed: replays.get(letter.id) ?? null }, record }));
}

/** What replay did (or, in a dry run, would do) with one letter. */
export interface ReplayOutcome {
  id: string;
  action: 'replayed' | 'would replay' | 'already replayed' | 'not replayable' | 'not found';
  /** The topic it goes (or went) back to. */
  topic: string | null;
  eventType: string | null;
  orderId: string | null;
  /** Why it is not replayable, or when and by whom it was replayed. */
  note: string | null;
}

/**
 * Replays letters to their original topics with their original key, value and headers (without
 * the dlq_* ones), each at most once: in a dry run only says what it would do. Letters already
 * replayed are skipped; the outcomes come in the order of `letters`.
 */
export async function replayDeadLetters({
  names,
  letters,
  store,
  publish,
  by,
  dryRun,
  onProgress,
}: {
  /** The deployment's names: a letter goes back only to one of its event topics, whatever its header says. */
  names: KafkaNames;
  letters: LetterWithRecord[];
  store: ReplayStore;
  publish: (topic: string, message: { key: Buffer | null; value: Buffer | null; headers: IHeaders }) => Promise<void>;
  by: string;
  dryRun: boolean;
  onProgress?: (done: number, total: number, outcome: ReplayOutcome) => void;
}): Promise<ReplayOutcome[]> {
  const replays = await store.replayed([...new Set(letters.map((l) => l.letter.group))]);
  const replayable = new Set(names.eventTopics);
  const outcomes: ReplayOutcome[] = [];
  for (const { letter, record } of letters) {
    const base = { id: letter.id, topic: letter.originalTopic, eventType: letter.eventType, orderId: letter.orderId };
    const previous = replays.get(letter.id);
    let outcome: ReplayOutcome;
    if (previous) outcome = { ...base, action: 'already replayed', note: `on ${previous.at} by ${previous.by}` };
    else if (!letter.originalTopic || !replayable.has(letter.originalTopic)) {
      outcome = { ...base, action: 'not replayable', note: `its ${DLQ_HEADERS.topic} header names ${letter.originalTopic ? `"${letter.originalTopic}", not an event topic` : 'no topic'}` };
    } else if (dryRun) outcome = { ...base, action: 'would replay', note: null };
    else {
      const topic = letter.originalTopic;
      const done = await store.recordAndPublish(letter, by, () => publish(topic, { key: record.key, value: record.value, headers: stripDlqHeaders(record.headers) }));
      outcome = done ? { ...base, action: 'replayed', note: `on ${done.at} by ${done.by}` } : { ...base, action: 'already replayed', note: 'by someone else just now' };
    }
    outcomes.push(outcome);
    onProgress?.(outcomes.length, letters.length, outcome);
  }
  return outcomes;
}
