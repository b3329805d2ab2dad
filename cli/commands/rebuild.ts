import { setTimeout as sleep } from 'node:timers/promises';
import { Argument, Command, Option } from 'commander';
import type { Kafka } from 'kafkajs';
import { createDb } from '../../db/knex';
import { createKafka } from '../../kafka/client';
import { kafkaNames, type KafkaNames } from '../../kafka/topics';
import { loadConfig } from '../../lib/config';
import { readRows } from '../../services/order-history/store';
import { rebuildOrderHistory, type RebuildResult } from '../../services/order-history/rebuild';
import { compareProjections, verifyAgainstServices, type Difference } from '../../support/order-history-verify';
import { CliError, EXIT } from '../errors';
import { render, table, type Io } from '../output';
import { bar, progressLine } from '../progress';

/** The projections `events rebuild` knows. */
const PROJECTIONS = ['order-history'] as const;

/** What `events rebuild` prints with --json. */
export interface RebuildReport extends RebuildResult {
  projection: (typeof PROJECTIONS)[number];
  verified: boolean;
  /** Every difference --verify found (empty without --verify). */
  differences: Difference[];
}

/** The human view of `events rebuild`. */
export function renderRebuild(r: RebuildReport): string {
  const lines = [
    `rebuilt ${r.projection} from offset 0: ${r.events} event(s), ${r.orders} order(s) in ${r.seconds.toFixed(1)}s (${r.eventsPerSecond} events/s)${r.skipped ? `, ${r.skipped} message(s) that were no event skipped` : ''}; swapped in`,
  ];
  if (r.verified) {
    lines.push(r.differences.length === 0 ? 'verified: 0 differences with the live projection and the services\' tables' : table(['order', 'against', 'difference'], r.differences.map((d) => [d.orderId, d.against, d.detail])));
    if (r.differences.length > 0) lines.push(`${r.differences.length} difference(s)`);
  }
  return lines.join('\n');
}

/** Waits until the live group has committed the start marks (it then has applied everything below them); false after the timeout. */
async function liveGroupPassed(kafka: Kafka, names: KafkaNames, marks: ReadonlyMap<string, bigint>, timeoutMs: number): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const committed = new Map<string, bigint>();
      for (const t of await admin.fetchOffsets({ groupId: names.groups.orderHistory, topics: names.eventTopics })) {
        for (const p of t.partitions) committed.set(`${t.topic}:${p.partition}`, BigInt(p.offset));
      }
      if ([...marks].every(([k, mark]) => mark === 0n || (committed.get(k) ?? -1n) >= mark)) return true;
      if (Date.now() > deadline) return false;
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

/** `petstore events rebuild order-history [--verify]`: a projection rebuilt from the topics and swapped in. */
export function rebuildCommand(io: Io): Command {
  return new Command('rebuild')
    .description('rebuild a projection from offset 0 of the event topics into a fresh table and swap it in atomically while its live consumer carries on')
    .addArgument(new Argument('<projection>', 'the projection').choices(PROJECTIONS))
    .option('--verify', 'compare the rebuilt projection with the live one (at the swap) and with each service\'s own tables; print every difference, exit 1 if any')
    .addOption(new Option('--live-timeout <seconds>', 'with --verify: how long to wait for the live consumer group to reach the rebuild\'s start').default(60).argParser(Number))
    .option('--json', 'print one JSON document: { projection, events, skipped, orders, seconds, eventsPerSecond, verified, differences: [{ orderId, against, detail }] }')
    .addHelpText(
      'after',
      '\nThe live consumer group (petstore-order-history, run by `petstore serve` with the orders service) keeps running;\nwhat it writes during the rebuild is in the swapped-in table too.\n\nExample:\n  $ petstore events rebuild order-history\n  $ petstore events rebuild order-history --verify --json | jq .differences',
    )
    .action(async (projection: (typeof PROJECTIONS)[number], options: { verify?: boolean; liveTimeout: number; json?: boolean }) => {
      const config = loadConfig();
      const names = kafkaNames(config.namespace);
      const kafka = createKafka(config, { retries: 3 });
      const db = createDb(config, { poolMax: 4 });
      const progress = progressLine(io, process.stderr);
      const differences: Difference[] = [];
      let result: RebuildResult;
      try {
        result = await rebuildOrderHistory({
          kafka,
          db,
          names,
          onProgress: ({ done, total }) => progress.update(`rebuilding ${projection} ${bar(done, total)} events`),
          ...(options.verify
            ? {
                beforeLock: async (marks) => {
                  progress.update(`waiting for ${names.groups.orderHistory} to reach the rebuild's start`);
                  if (!(await liveGroupPassed(kafka, names, marks, options.liveTimeout * 1000))) {
                    differences.push({ orderId: '-', against: 'live', detail: `the live group ${names.groups.orderHistory} did not reach the rebuild's start within ${options.liveTimeout}s (is petstore serve running?)` });
                  }
                },
                atSwap: async (moment) => {
                  if (differences.length === 0) differences.push(...compareProjections(moment));
                },
              }
            : {}),
        });
        if (options.verify) {
          progress.update('comparing with the services\' tables');
          differences.push(...(await verifyAgainstServices(db, await readRows(db))));
        }
      } finally {
        progress.stop();
        await db.destroy();
      }
      const report: RebuildReport = { projection, ...result, verified: Boolean(options.verify), differences };
      render(io, options, report, renderRebuild);
      if (differences.length > 0) throw new CliError(`${differences.length} difference(s) found`, EXIT.failure);
    });
}
