import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../lib/config';
import { ensureKafkaJars } from './kafka-jars';
import type { Progress } from './part';

/** One of Kafka's command-line tools: the class its `bin/kafka-<name>.sh` script runs in Kafka 3.9. */
export interface KafkaTool {
  mainClass: string;
  about: string;
  /** The tool talks to a broker and takes --bootstrap-server; the stack's brokers are filled in when none is given. */
  bootstrap: boolean;
}

/** The tools, by the name of their script without `kafka-` and `.sh` (kafka-topics.sh is `topics`). */
export const KAFKA_TOOLS: Readonly<Record<string, KafkaTool>> = {
  topics: { mainClass: 'org.apache.kafka.tools.TopicCommand', about: 'list, describe, create, alter and delete topics', bootstrap: true },
  'consumer-groups': { mainClass: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', about: 'list and describe consumer groups (members, offsets, lag), reset offsets', bootstrap: true },
  'console-consumer': { mainClass: 'org.apache.kafka.tools.consumer.ConsoleConsumer', about: 'print the messages of a topic', bootstrap: true },
  'console-producer': { mainClass: 'kafka.tools.ConsoleProducer', about: 'send the lines of stdin to a topic', bootstrap: true },
  'get-offsets': { mainClass: 'org.apache.kafka.tools.GetOffsetShell', about: 'offsets of each partition (earliest, latest, by time)', bootstrap: true },
  configs: { mainClass: 'kafka.admin.ConfigCommand', about: 'describe and alter topic, broker and client configs', bootstrap: true },
  'log-dirs': { mainClass: 'org.apache.kafka.tools.LogDirsCommand', about: "the brokers' log directories and their partitions' sizes", bootstrap: true },
  'delete-records': { mainClass: 'org.apache.kafka.tools.DeleteRecordsCommand', about: 'delete records of partitions up to an offset', bootstrap: true },
  'reassign-partitions': { mainClass: 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand', about: 'move partition replicas between brokers', bootstrap: true },
  'leader-election': { mainClass: 'org.apache.kafka.tools.LeaderElectionCommand', about: 'elect preferred or unclean partition leaders', bootstrap: true },
  'metadata-quorum': { mainClass: 'org.apache.kafka.tools.MetadataQuorumCommand', about: 'the KRaft quorum: leader, voters, their lag', bootstrap: true },
  transactions: { mainClass: 'org.apache.kafka.tools.TransactionsCommand', about: 'list, describe and abort transactions', bootstrap: true },
  acls: { mainClass: 'kafka.admin.AclCommand', about: 'list, add and remove ACLs', bootstrap: true },
  'broker-api-versions': { mainClass: 'kafka.admin.BrokerApiVersionsCommand', about: 'the API versions each broker supports', bootstrap: true },
  features: { mainClass: 'org.apache.kafka.tools.FeatureCommand', about: 'describe and upgrade feature versions (metadata.version, ...)', bootstrap: true },
  'dump-log': { mainClass: 'kafka.tools.DumpLogSegments', about: 'decode log segment files of a broker\'s log directory (no broker needed)', bootstrap: false },
};

/** `--bootstrap-server x`, `--bootstrap-server=x` or `--bootstrap-controller ...`: the caller chose where to connect. */
const namesAServer = (args: readonly string[]): boolean => args.some((arg) => /^--bootstrap-(server|controller)(=|$)/.test(arg));

/** Tools log through reload4j: warnings and errors to stderr, so stdout stays the tool's output alone (as Kafka's tools-log4j.properties). */
const TOOLS_LOG4J = ['log4j.rootLogger=WARN, stderr', 'log4j.appender.stderr=org.apache.log4j.ConsoleAppender', 'log4j.appender.stderr.layout=org.apache.log4j.PatternLayout', 'log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n', 'log4j.appender.stderr.Target=System.err', ''].join('\n');

/** The java command line of one tool: its main class on the cached classpath, the stack's brokers unless the arguments name a server. */
export function kafkaToolCommand(config: Config, tool: KafkaTool, args: readonly string[], { classpath, log4jFile }: { classpath: string; log4jFile: string }): string[] {
  const bootstrap = tool.bootstrap && !namesAServer(args) ? ['--bootstrap-server', config.kafka.brokers.join(',')] : [];
  // Options before a tool's subcommand belong to the tool (transactions, metadata-quorum, features take them there).
  return ['-Xmx256m', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4jFile}`, '-cp', classpath, tool.mainClass, ...bootstrap, ...args];
}

/**
 * Runs one of Kafka's tools in the foreground: stdin, stdout and stderr are the caller's, and the
 * tool's exit code is the result. Ctrl-C reaches the tool (same process group), which ends as it
 * would from Kafka's own script (the console consumer prints its count), so the CLI waits for it.
 */
export async function runKafkaTool(config: Config, tool: KafkaTool, args: readonly string[], progress: Progress): Promise<number> {
  const classpath = await ensureKafkaJars(config, progress);
  const folder = join(config.dataDir, 'kafka-tools');
  mkdirSync(folder, { recursive: true });
  const log4jFile = join(folder, 'log4j.properties');
  writeFileSync(log4jFile, TOOLS_LOG4J);
  const child = spawn('java', kafkaToolCommand(config, tool, args, { classpath, log4jFile }), { stdio: 'inherit' });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
