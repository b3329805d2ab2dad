import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { ensureTopics, kafkaNames } from '../../kafka/topics';
import { leadersByBroker, PartitionCountError, scalePartitions, underReplicated } from '../../kafka/topology';
import { ConfigError, loadConfig } from '../../lib/config';
import { nodeLayouts, quorumLeader, serverProperties } from '../../stack/kafka';

describe('the local Kafka cluster in config', () => {
  it('stays one broker with replication factor 1 by default', () => {
    const { kafka } = loadConfig({});
    expect(kafka.nodes).toEqual([{ id: 1, port: 9092, controllerPort: 9093 }]);
    expect(kafka).toMatchObject({ brokers: ['127.0.0.1:9092'], replicationFactor: 1, minInsyncReplicas: 1 });
  });

  it('runs three nodes two ports apart, every one a bootstrap address, with RF 3 and min.insync.replicas 2', () => {
    const { kafka } = loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '3', PETSTORE_KAFKA_PORT: '29231', PETSTORE_KAFKA_CONTROLLER_PORT: '29232' });
    expect(kafka.nodes.map((n) => [n.id, n.port, n.controllerPort])).toEqual([
      [1, 29231, 29232],
      [2, 29233, 29234],
      [3, 29235, 29236],
    ]);
    expect(kafka.brokers).toEqual(['127.0.0.1:29231', '127.0.0.1:29233', '127.0.0.1:29235']);
    expect(kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
  });

  it('keeps three replicas beyond three brokers, and one per broker below', () => {
    expect(loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '5' }).kafka).toMatchObject({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '2' }).kafka).toMatchObject({ replicationFactor: 2, minInsyncReplicas: 1 });
  });

  it('refuses ports that collide and a min.insync.replicas no write could meet', () => {
    expect(() => loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '3', PETSTORE_KAFKA_PORT: '9092', PETSTORE_KAFKA_CONTROLLER_PORT: '9094' })).toThrow(ConfigError);
    expect(() => loadConfig({ KAFKA_REPLICATION_FACTOR: '1', KAFKA_MIN_INSYNC_REPLICAS: '2' })).toThrow(/cannot exceed/);
    expect(() => loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '0' })).toThrow(/PETSTORE_KAFKA_BROKERS_COUNT/);
  });
});

describe('the local nodes on disk', () => {
  it('keeps the single broker in kafka/ and puts a cluster in kafka-cluster/node-<id>/', () => {
    expect(nodeLayouts(loadConfig({ PETSTORE_DATA_DIR: '/d' })).map((l) => [l.name, l.home])).toEqual([['kafka', '/d/kafka']]);
    expect(nodeLayouts(loadConfig({ PETSTORE_DATA_DIR: '/d', PETSTORE_KAFKA_BROKERS_COUNT: '3' })).map((l) => [l.name, l.home])).toEqual([
      ['kafka-1', '/d/kafka-cluster/node-1'],
      ['kafka-2', '/d/kafka-cluster/node-2'],
      ['kafka-3', '/d/kafka-cluster/node-3'],
    ]);
  });

  it('writes every voter into each node, replicated internal topics and fast failure detection', () => {
    const config = loadConfig({ PETSTORE_KAFKA_BROKERS_COUNT: '3' });
    const props = serverProperties(config, config.kafka.nodes[1]!, '/d/data');
    expect(props).toContain('node.id=2');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:9093,2@127.0.0.1:9095,3@127.0.0.1:9097');
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:9094,CONTROLLER://127.0.0.1:9095');
    expect(props).toContain('offsets.topic.replication.factor=3');
    expect(props).toContain('min.insync.replicas=2');
    expect(props).toContain('broker.session.timeout.ms=2000');
    const single = serverProperties(loadConfig({}), loadConfig({}).kafka.nodes[0]!, '/d/data');
    expect(single).toContain('offsets.topic.replication.factor=1');
    expect(single).not.toContain('broker.session.timeout.ms');
  });

  it('takes the controller leader from the quorum-state file with the newest epoch', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quorum-'));
    try {
      const write = (name: string, state: object) => {
        writeFileSync(join(dir, name), JSON.stringify(state));
        return join(dir, name);
      };
      const stale = write('a', { leaderId: 1, leaderEpoch: 4 });
      const fresh = write('b', { leaderId: 3, leaderEpoch: 6 });
      const voting = write('c', { leaderId: -1, leaderEpoch: 7 });
      expect(quorumLeader([stale, fresh, voting, join(dir, 'missing')])).toBe(3);
      expect(quorumLeader([voting])).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('topic layouts', () => {
  const layouts = [
    {
      topic: 'orders',
      partitions: [
        { partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] },
        { partition: 1, leader: 2, replicas: [1, 2, 3], isr: [2, 3] },
        { partition: 2, leader: 2, replicas: [1, 2, 3], isr: [1, 2, 3] },
      ],
    },
  ];

  it('finds the partitions short of in-sync replicas and counts leaderships per broker', () => {
    expect(underReplicated(layouts)).toEqual([{ topic: 'orders', partition: 1, leader: 2, replicas: [1, 2, 3], isr: [2, 3] }]);
    expect([...leadersByBroker(layouts)]).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('adds partitions, and refuses to remove or keep them before asking the brokers', async () => {
    const asked: unknown[] = [];
    const admin = {
      fetchTopicMetadata: async () => ({ topics: [{ name: 'orders', partitions: layouts[0]!.partitions.map((p) => ({ ...p, partitionId: p.partition })) }] }),
      createPartitions: async (request: unknown) => asked.push(request),
    } as unknown as Admin;
    await expect(scalePartitions(admin, 'orders', 2)).rejects.toThrow(PartitionCountError);
    await expect(scalePartitions(admin, 'orders', 3)).rejects.toThrow(/already has 3/);
    expect(asked).toEqual([]);
    expect(await scalePartitions(admin, 'orders', 6)).toEqual({ from: 3, to: 6 });
    expect(asked).toEqual([{ validateOnly: false, topicPartitions: [{ topic: 'orders', count: 6 }] }]);
  });

  it('creates topics with min.insync.replicas when it is given', async () => {
    const created: unknown[] = [];
    const admin = { listTopics: async () => [], createTopics: async ({ topics }: { topics: unknown[] }) => created.push(...topics) } as unknown as Admin;
    await ensureTopics(admin, kafkaNames(''), { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2 });
    expect(created[0]).toMatchObject({ numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] });
  });
});
