import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka } from '../kafka/client';
import { ensureTopics, kafkaNames } from '../kafka/topics';
import { projectRoot, type Config } from '../lib/config';
import { run, versionOf } from '../lib/exec';
import { waitFor } from '../lib/wait';
import { daemon } from './daemon';
import { PrerequisiteError, type Progress, type StackPart } from './part';

/** Kept in step with stack/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.1';

/** Java's major version from `java -version`, or undefined when there is no java. */
export function javaMajor(): number | undefined {
  const line = versionOf('java', ['-version']);
  const match = line?.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) return undefined;
  // Java 8 and older report "1.8.0_…".
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/**
 * A KRaft cluster id: 16 random bytes in URL-safe base64, as `kafka-storage random-uuid` prints,
 * re-drawn when it starts with '-' (which the tool's argument parser would take for an option).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(config: Config, logDir: string): string {
  const { port: kafka, controllerPort: kafkaController } = config.kafka;
  return [
    '# Written by petstore on every start; edit stack/kafka.ts instead.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${kafkaController}`,
    `listeners=PLAINTEXT://127.0.0.1:${kafka},CONTROLLER://127.0.0.1:${kafkaController}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${kafka}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    `num.partitions=${config.kafka.topicPartitions}`,
    // petstore creates its topics on purpose; a typo'd topic should fail, not appear.
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // One member per group locally: don't wait 3 s for others to join.
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.KafkaRaftServer=INFO',
  'log4j.logger.kafka.server.BrokerServer=INFO',
  '',
].join('\n');

/** Apache Kafka in KRaft mode (broker and controller in one JVM) from Maven Central's jars, or KAFKA_BROKERS. */
export function kafkaPart(config: Config, progress: Progress): StackPart {
  const { external, brokers } = config.kafka;
  const endpoint = brokers.join(',');
  const home = join(config.dataDir, 'kafka');
  const logDir = join(home, 'data');
  const propsFile = join(home, 'server.properties');
  const log4jFile = join(home, 'log4j.properties');
  const libs = join(config.cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
  const classpath = `${libs}/*`;
  const server = daemon({
    name: 'kafka',
    command: 'java',
    args: [
      '-Xms128m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${log4jFile}`,
      `-Dkafka.logs.dir=${home}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      propsFile,
    ],
    runDir: join(config.dataDir, 'run'),
    marker: propsFile,
  });

  const reachable = async (timeoutMs = 3000): Promise<boolean> => {
    const admin = createKafka(config, { retries: 0 }).admin();
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref());
    try {
      await Promise.race([admin.connect().then(() => admin.describeCluster()), timer]);
      return true;
    } catch {
      return false;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  };

  async function createTopics(): Promise<void> {
    const admin = createKafka(config).admin();
    await admin.connect();
    try {
      const created = await ensureTopics(admin, kafkaNames(config.namespace), { partitions: config.kafka.topicPartitions, replicationFactor: config.kafka.replicationFactor });
      if (created.length > 0) progress(`kafka: created topics ${created.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }

  return {
    name: 'kafka',
    async provision() {
      if (external) return;
      const major = javaMajor();
      if (major === undefined || major < 17) {
        throw new PrerequisiteError(
          `Java 17+ is needed for the local Kafka broker (found ${major ?? 'no java on PATH'}); install it (apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS.`,
        );
      }
      if (existsSync(join(libs, '.complete'))) return;
      if (!versionOf('mvn', ['-v'])) {
        throw new PrerequisiteError('Maven is needed once to fetch the Kafka jars from Maven Central; install it (apt-get install maven) or set KAFKA_BROKERS.');
      }
      progress(`kafka: fetching Apache Kafka ${KAFKA_VERSION} jars with Maven into ${libs} (first run only)`);
      const staging = `${libs}.partial`;
      rmSync(staging, { recursive: true, force: true });
      await run('mvn', [
        '-q',
        '-B',
        '-f',
        join(projectRoot, 'stack', 'kafka', 'pom.xml'),
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${staging}`,
      ]);
      writeFileSync(join(staging, '.complete'), `${KAFKA_VERSION}\n`);
      rmSync(libs, { recursive: true, force: true });
      renameSync(staging, libs);
    },
    async start() {
      if (external) {
        await waitFor(`Kafka at ${endpoint}`, () => reachable(), { timeoutMs: 30_000 });
        await createTopics();
        return 'external';
      }
      if (server.pid() !== undefined && (await reachable())) {
        await createTopics();
        return 'reused';
      }
      if (server.pid() === undefined) {
        if (await reachable()) throw new PrerequisiteError(`Port ${config.kafka.port} is taken by a Kafka the stack did not start; stop it, or set KAFKA_BROKERS.`);
        await this.provision();
        mkdirSync(home, { recursive: true });
        writeFileSync(propsFile, serverProperties(config, logDir));
        writeFileSync(log4jFile, LOG4J);
        if (!existsSync(join(logDir, 'meta.properties'))) {
          progress('kafka: formatting storage (first run only)');
          await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${newClusterId()}`, '-c', propsFile, '--ignore-formatted']);
        }
        server.start();
      }
      await waitFor(`Kafka on ${endpoint}`, async () => server.pid() !== undefined && (await reachable()), {
        timeoutMs: 60_000,
        intervalMs: 500,
        hint: () => `log ${server.logFile}:\n${server.tail()}`,
      });
      await createTopics();
      return 'started';
    },
    async status() {
      const pid = external ? undefined : server.pid();
      return { up: await reachable(), endpoint, pid, external, log: external ? undefined : server.logFile };
    },
    stop: () => (external ? Promise.resolve(false) : server.stop(30_000)),
  };
}
