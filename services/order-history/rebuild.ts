import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import { parseEvent, PoisonMessageError } from '../../kafka/envelope';
import type { KafkaNames } from '../../kafka/topics';
import { countRows, dropRebuildTable, freshRebuildTable, lockLiveTable, readRows, recordEvents, REBUILD_TABLE, swapInRebuild, type HistoryRow } from './store';

/** Each partition's offset, by `<topic>:<partition>`. */
type Marks = Map<string, bigint>;

/** How far a rebuild is: events read of those below the high-water marks taken at its start. */
export interface RebuildProgress {
  done: number;
  total: number;
}

/** What the rebuild hands to a check made while the live table is held (verify's comparison). */
export interface SwapMoment {
  trx: Knex.Transaction;
  /** The rebuilt rows, about to become the live ones. */
  rebuilt: Map<string, HistoryRow>;
  /** The live rows, as the live consumer left them. */
  live: Map<string, HistoryRow>;
  /** Ids of events at or after the start marks: the live consumer may not have reached them yet. */
  late: ReadonlySet<string>;
}

/** What a rebuild did. */
export interface RebuildResult {
  /** Events folded (to the start marks and the catch-up to the swap). */
  events: number;
  /** Messages that were no event (a poison message: the live consumer dead-letters it). */
  skipped: number;
  /** Orders in the projection swapped in. */
  orders: number;
  seconds: number;
  eventsPerSecond: number;
}

const key = (topic: string, partition: number) => `${topic}:${partition}`;

/** Each partition's high-water mark (the next offset to be written) and the messages below it. */
async function highWaterMarks(admin: Admin, topics: readonly string[]): Promise<{ high: Marks; total: number }> {
  const high: Marks = new Map();
  let total = 0;
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) {
      high.set(key(topic, p.partition), BigInt(p.high));
      total += Math.max(0, Number(p.high) - Number(p.low));
    }
  }
  return { high, total };
}

/**
 * Rebuilds the order-history projection from offset 0 of every event topic into a fresh table, then
 * swaps it in while the live consumer carries on:
 *
 * 1. the high-water marks of every partition are taken (the start marks);
 * 2. a reader of its own (a throwaway group) folds every event into the fresh table, and goes on
 *    folding what arrives after the marks;
 * 3. once it has passed the start marks, a transaction locks the live table (the live consumer's next
 *    write waits), takes the marks again and waits until the reader has passed them too: every event
 *    the live consumer ever applied was on Kafka before the lock, so it is below these marks and in
 *    the fresh table;
 * 4. in the same transaction the fresh table is renamed into place. The live consumer's waiting write
 *    lands in it, and events it has not applied yet are applied there (again, for those the rebuild
 *    also read: a fact is keyed by its event id, so nothing changes).
 *
 * `atSwap` runs inside the lock, with both tables (verify compares them there). A failed rebuild
 * drops its table and leaves the live one untouched.
 */
export async function rebuildOrderHistory({
  kafka,
  db,
  names,
  onProgress,
  beforeLock,
  atSwap,
}: {
  kafka: Kafka;
  db: Knex;
  names: KafkaNames;
  onProgress?: (progress: RebuildProgress) => void;
  /** Runs once the start marks are passed, before the lock (verify waits for the live group to pass them there). */
  beforeLock?: (startMarks: ReadonlyMap<string, bigint>) => Promise<void>;
  atSwap?: (moment: SwapMoment) => Promise<void>;
}): Promise<RebuildResult> {
  const started = performance.now();
  const topics = names.eventTopics;
  const admin = kafka.admin();
  await admin.connect();
  const consumer = kafka.consumer({ groupId: names.throwawayGroup('order-history-rebuild'), maxBytesPerPartition: 4 * 1024 * 1024, maxWaitTimeInMs: 200 });
  const position: Marks = new Map();
  const late = new Set<string>();
  let events = 0;
  let skipped = 0;
  let failure: unknown;
  try {
    await freshRebuildTable(db);
    const { high: start, total } = await highWaterMarks(admin, topics);
    const done = () => [...start].reduce((n, [k, mark]) => n + Number((position.get(k) ?? 0n) < mark ? (position.get(k) ?? 0n) : mark), 0);
    const passed = (marks: Marks) => [...marks].every(([k, mark]) => mark === 0n || (position.get(k) ?? 0n) >= mark);
    onProgress?.({ done: 0, total });

    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        const k = key(batch.topic, batch.partition);
        const mark = start.get(k) ?? 0n;
        const folded: EventEnvelope[] = [];
        for (const message of batch.messages) {
          try {
            const event = parseEvent(message.value, message.headers, message.key);
            folded.push(event);
            if (BigInt(message.offset) >= mark) late.add(event.id);
          } catch (error) {
            if (!(error instanceof PoisonMessageError)) throw error;
            skipped++;
          }
        }
        try {
          // Chunks keep a statement's parameters well below Postgres' limit.
          for (let i = 0; i < folded.length; i += 2000) await recordEvents(db, folded.slice(i, i + 2000), REBUILD_TABLE);
        } catch (error) {
          failure ??= error;
          throw error;
        }
        if (!isRunning()) return;
        const last = batch.messages.at(-1);
        if (last) {
          resolveOffset(last.offset);
          position.set(k, BigInt(last.offset) + 1n);
        }
        events += folded.length;
        onProgress?.({ done: done(), total });
        await heartbeat();
      },
    });

    const waitFor = async (marks: Marks) => {
      while (!passed(marks)) {
        if (failure) throw failure;
        await sleep(50);
      }
    };
    await waitFor(start);
    onProgress?.({ done: total, total });
    await beforeLock?.(start);
    await db.transaction(async (trx) => {
      await lockLiveTable(trx);
      const { high: atLock } = await highWaterMarks(admin, topics);
      await waitFor(atLock);
      if (atSwap) await atSwap({ trx, rebuilt: await readRows(trx, REBUILD_TABLE), live: await readRows(trx), late });
      // The reader stops before the rename: what it has not written, the live consumer writes after it.
      await consumer.stop();
      await swapInRebuild(trx);
    });
    const seconds = (performance.now() - started) / 1000;
    const orders = await countRows(db);
    return { events, skipped, orders, seconds, eventsPerSecond: seconds > 0 ? Math.round(events / seconds) : events };
  } catch (error) {
    await dropRebuildTable(db).catch(() => undefined);
    throw error;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
