import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '../kafka/client';
import { ensureTopics, kafkaNames } from '../kafka/topics';
import { leadersByBroker, partitionLayouts, underReplicated } from '../kafka/topology';
import type { Config, LocalKafkaNode } from '../lib/config';
import { run } from '../lib/exec';
import { waitFor } from '../lib/wait';
import { daemon } from './daemon';
import { ensureKafkaJars, kafkaLibs } from './kafka-jars';
import { PrerequisiteError, type ClusterStatus, type Progress, type StackPart } from './part';

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

/**
 * Failure detection of a local cluster, tighter than Kafka's defaults (9 s broker session, 2 s quorum
 * fetch timeout) so that a killed node's partitions get new leaders, and it leaves their ISR, within
 * about two seconds: on one machine a missed heartbeat means a dead process, not a slow network.
 */
const CLUSTER_FAILOVER = [
  'broker.heartbeat.interval.ms=500',
  'broker.session.timeout.ms=2000',
  'controller.quorum.election.timeout.ms=500',
  'controller.quorum.fetch.timeout.ms=1000',
  // A node that comes back gets its preferred leaderships back within seconds, not Kafka's 5 minutes.
  'leader.imbalance.check.interval.seconds=5',
  'leader.imbalance.per.broker.percentage=0',
];

/** The server.properties of one local node: a combined broker and controller. */
export function serverProperties(config: Config, node: LocalKafkaNode, logDir: string): string {
  const { nodes, replicationFactor, minInsyncReplicas } = config.kafka;
  const cluster = nodes.length > 1;
  const internalRf = Math.min(nodes.length, 3);
  return [
    '# Written by petstore on every start; edit stack/kafka.ts instead.',
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${logDir}`,
    `num.partitions=${config.kafka.topicPartitions}`,
    // petstore creates its topics on purpose; a typo'd topic should fail, not appear.
    'auto.create.topics.enable=false',
    `default.replication.factor=${replicationFactor}`,
    `min.insync.replicas=${minInsyncReplicas}`,
    `offsets.topic.replication.factor=${internalRf}`,
    'offsets.topic.num.partitions=6',
    `transaction.state.log.replication.factor=${internalRf}`,
    `transaction.state.log.min.isr=${Math.min(minInsyncReplicas, internalRf)}`,
    // One member per group locally: don't wait 3 s for others to join.
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
    ...(cluster ? CLUSTER_FAILOVER : []),
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

/** Heap of one node: a single broker gets room; in a cluster each node carries a third of the load. */
const HEAP = { single: ['-Xms128m', '-Xmx512m'], clusterNode: ['-Xms64m', '-Xmx256m'] } as const;

/** Where one local node lives: its folder, the daemon's name (its pid and log file) and its config files. */
interface NodeLayout {
  node: LocalKafkaNode;
  name: string;
  home: string;
  logDir: string;
  propsFile: string;
  log4jFile: string;
}

/**
 * The folders of the local nodes. The single broker keeps `kafka/` (as before the cluster existed);
 * a cluster lives in `kafka-cluster/node-<id>/`, so switching between the two never mixes their logs.
 */
export function nodeLayouts(config: Config): NodeLayout[] {
  const { nodes } = config.kafka;
  return nodes.map((node) => {
    const single = nodes.length === 1;
    const home = single ? join(config.dataDir, 'kafka') : join(config.dataDir, 'kafka-cluster', `node-${node.id}`);
    return {
      node,
      name: single ? 'kafka' : `kafka-${node.id}`,
      home,
      logDir: join(home, 'data'),
      propsFile: join(home, 'server.properties'),
      log4jFile: join(home, 'log4j.properties'),
    };
  });
}

/**
 * The active controller: the leader with the highest epoch in the `quorum-state` files of the running
 * nodes (KRaft rewrites it on every election; a killed node's file keeps its last, older epoch).
 * kafkajs has no DescribeQuorum call, and the controller id brokers report in metadata is any broker.
 */
export function quorumLeader(files: readonly string[]): number | undefined {
  let best: { epoch: number; leader: number } | undefined;
  for (const file of files) {
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as { leaderId?: number; leaderEpoch?: number };
      if (typeof state.leaderId === 'number' && state.leaderId >= 0 && typeof state.leaderEpoch === 'number' && (!best || state.leaderEpoch > best.epoch)) {
        best = { epoch: state.leaderEpoch, leader: state.leaderId };
      }
    } catch {
      // not written yet, or being rewritten: the other nodes answer
    }
  }
  return best?.leader;
}

/** Runs fn again (every 500 ms) while it fails with an error `again` accepts, for up to timeoutMs. */
async function retryWhile<T>(fn: () => Promise<T>, again: (error: unknown) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!again(error) || Date.now() > deadline) throw error;
      await sleep(500);
    }
  }
}

/** Apache Kafka in KRaft mode from Maven Central's jars (one node, or PETSTORE_KAFKA_BROKERS_COUNT combined broker+controller nodes), or KAFKA_BROKERS. */
export function kafkaPart(config: Config, progress: Progress): StackPart {
  const { external, brokers } = config.kafka;
  const endpoint = brokers.join(',');
  const layouts = nodeLayouts(config);
  const cluster = layouts.length > 1;
  const runDir = join(config.dataDir, 'run');
  const classpath = `${kafkaLibs(config)}/*`;
  const nodeDaemon = (layout: Pick<NodeLayout, 'name' | 'home' | 'propsFile' | 'log4jFile'>, heap: readonly string[]) =>
    daemon({
      name: layout.name,
      command: 'java',
      args: [
        ...heap,
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${layout.log4jFile}`,
        `-Dkafka.logs.dir=${layout.home}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        layout.propsFile,
      ],
      runDir,
      marker: layout.propsFile,
    });
  const servers = layouts.map((layout) => ({ layout, server: nodeDaemon(layout, cluster ? HEAP.clusterNode : HEAP.single) }));

  const reachable = async (timeoutMs = 3000, only?: string): Promise<boolean> => {
    const admin = createKafka(only ? { ...config, kafka: { ...config.kafka, brokers: [only] } } : config, { retries: 0 }).admin();
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

  const brokersRegistered = async (): Promise<boolean> => {
    const admin = createKafka(config, { retries: 0 }).admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers.length >= layouts.length;
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
      const { topicPartitions: partitions, replicationFactor, minInsyncReplicas, retentionMs, dlqRetentionMs } = config.kafka;
      const names = kafkaNames(config.namespace);
      // A cluster that has just formed may still be spreading its metadata: "does not host this topic-partition" passes in a moment.
      const created = await retryWhile(() => ensureTopics(admin, names, { partitions, replicationFactor, minInsyncReplicas, retentionMs, dlqRetentionMs }), (error) => (error as { retriable?: boolean }).retriable === true, 30_000);
      if (created.length > 0) progress(`kafka: created topics ${created.join(', ')} (replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas})`);
    } finally {
      await admin.disconnect();
    }
  }

  /** One cluster id for every node of the local cluster, drawn once and kept beside the nodes' folders. */
  const clusterId = (): string => {
    if (!cluster) return newClusterId();
    const file = join(config.dataDir, 'kafka-cluster', 'cluster-id');
    if (!existsSync(file)) {
      mkdirSync(join(config.dataDir, 'kafka-cluster'), { recursive: true });
      writeFileSync(file, `${newClusterId()}\n`);
    }
    return readFileSync(file, 'utf8').trim();
  };

  async function startNodes(): Promise<void> {
    const down = servers.filter(({ server }) => server.pid() === undefined);
    for (const { layout } of down) {
      if (await reachable(3000, `127.0.0.1:${layout.node.port}`)) {
        throw new PrerequisiteError(
          `Port ${layout.node.port} is taken by a Kafka this configuration did not start; stop it (a stack Kafka of another size: petstore stack stop --only kafka --kafka-brokers <its count>), or set KAFKA_BROKERS.`,
        );
      }
    }
    if (down.length > 0) await provision();
    const id = down.length > 0 ? clusterId() : '';
    for (const { layout, server } of down) {
      mkdirSync(layout.home, { recursive: true });
      writeFileSync(layout.propsFile, serverProperties(config, layout.node, layout.logDir));
      writeFileSync(layout.log4jFile, LOG4J);
      if (!existsSync(join(layout.logDir, 'meta.properties'))) {
        progress(`kafka: formatting storage of ${layout.name} (first run only)`);
        await run('java', ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${id}`, '-c', layout.propsFile, '--ignore-formatted']);
      }
      server.start();
    }
  }

  async function provision(): Promise<void> {
    if (!external) await ensureKafkaJars(config, progress);
  }

  async function clusterStatus(): Promise<ClusterStatus | undefined> {
    const admin = createKafka(config, { retries: 1 }).admin();
    try {
      await admin.connect();
      const { brokers: registered } = await admin.describeCluster();
      const topics = await partitionLayouts(admin, kafkaNames(config.namespace).allTopics);
      const leaders = leadersByBroker(topics);
      const alive = new Set(registered.map((b) => b.nodeId));
      const brokerRows = external
        ? registered.map((b) => ({ nodeId: b.nodeId, endpoint: `${b.host}:${b.port}`, up: true, leaderOf: leaders.get(b.nodeId) ?? 0 }))
        : servers.map(({ layout, server }) => ({
            nodeId: layout.node.id,
            endpoint: `127.0.0.1:${layout.node.port}`,
            up: alive.has(layout.node.id) && server.pid() !== undefined,
            ...(server.pid() === undefined ? {} : { pid: server.pid() }),
            leaderOf: leaders.get(layout.node.id) ?? 0,
          }));
      const live = external ? [] : servers.filter(({ server }) => server.pid() !== undefined).map(({ layout }) => join(layout.logDir, '__cluster_metadata-0', 'quorum-state'));
      const controllerLeader = quorumLeader(live);
      return {
        brokers: brokerRows,
        ...(controllerLeader === undefined ? {} : { controllerLeader }),
        underReplicated: underReplicated(topics),
      };
    } catch {
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  return {
    name: 'kafka',
    provision,
    async start() {
      if (external) {
        await waitFor(`Kafka at ${endpoint}`, () => reachable(), { timeoutMs: 30_000 });
        await createTopics();
        return 'external';
      }
      const allRunning = servers.every(({ server }) => server.pid() !== undefined);
      if (allRunning && (await reachable()) && (await brokersRegistered())) {
        await createTopics();
        return 'reused';
      }
      await startNodes();
      await waitFor(`Kafka on ${endpoint}`, async () => servers.every(({ server }) => server.pid() !== undefined) && (await reachable()) && (await brokersRegistered()), {
        timeoutMs: 60_000,
        intervalMs: 500,
        hint: () => servers.map(({ server }) => `log ${server.logFile}:\n${server.tail()}`).join('\n'),
      });
      await createTopics();
      // Reused only if every node ran already; one started now (say, after a crash) makes it a start.
      return allRunning ? 'reused' : 'started';
    },
    async status() {
      const pid = external ? undefined : servers[0]!.server.pid();
      const up = await reachable();
      const clusterView = up && (cluster || external) ? await clusterStatus() : undefined;
      return {
        up,
        endpoint,
        pid,
        external,
        ...(clusterView ? { cluster: clusterView } : {}),
        log: external ? undefined : servers[0]!.server.logFile,
      };
    },
    async stop() {
      if (external) return false;
      const stopped = await Promise.all(servers.map(({ server }) => server.stop(30_000)));
      return stopped.some(Boolean);
    },
  };
}
