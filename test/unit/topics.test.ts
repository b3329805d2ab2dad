import type { Admin } from 'kafkajs';
import { CONSUMER_GROUPS, dlqTopic, ensureTopics, kafkaNames, TOPICS } from '../../kafka/topics';

/** Only what ensureTopics calls. */
function fakeAdmin(existing: string[]) {
  const created: { topic: string; numPartitions?: number; replicationFactor?: number; configEntries?: { name: string; value: string }[] }[] = [];
  const admin = {
    listTopics: async () => existing,
    createTopics: async ({ topics }: { topics: typeof created }) => {
      created.push(...topics);
      return true;
    },
  };
  return { admin: admin as unknown as Admin, created };
}

describe('ensureTopics', () => {
  it('creates every missing topic, dead-letter topics included, with the configured partitions and replication factor', async () => {
    const { admin, created } = fakeAdmin(['orders']);
    const names = kafkaNames('');
    const missing = await ensureTopics(admin, names, { partitions: 12, replicationFactor: 3 });

    expect(missing).toEqual(names.allTopics.filter((t) => t !== 'orders'));
    for (const group of Object.values(CONSUMER_GROUPS)) expect(missing).toContain(dlqTopic(group));
    expect(created.map((t) => t.topic)).toEqual(missing);
    for (const topic of created) expect(topic).toMatchObject({ numPartitions: 12, replicationFactor: 3 });
  });

  it('gives event topics their retention and dead-letter topics theirs (-1: forever)', async () => {
    const { admin, created } = fakeAdmin([]);
    const names = kafkaNames('');
    await ensureTopics(admin, names, { partitions: 6, replicationFactor: 3, minInsyncReplicas: 2, retentionMs: -1, dlqRetentionMs: 2_592_000_000 });
    const entriesOf = (topic: string) => created.find((t) => t.topic === topic)?.configEntries;
    expect(entriesOf('orders')).toEqual([{ name: 'min.insync.replicas', value: '2' }, { name: 'retention.ms', value: '-1' }]);
    expect(entriesOf(dlqTopic(CONSUMER_GROUPS.inventory))).toEqual([{ name: 'min.insync.replicas', value: '2' }, { name: 'retention.ms', value: '2592000000' }]);
  });

  it('leaves existing topics alone', async () => {
    const names = kafkaNames('');
    const { admin, created } = fakeAdmin(names.allTopics);
    expect(await ensureTopics(admin, names, { partitions: 6, replicationFactor: 1 })).toEqual([]);
    expect(created).toEqual([]);
  });

  it("creates a namespace's topics beside another deployment's", async () => {
    const { admin } = fakeAdmin(kafkaNames('').allTopics);
    const names = kafkaNames('staging');
    expect(await ensureTopics(admin, names, { partitions: 6, replicationFactor: 1 })).toEqual(names.allTopics);
  });
});

describe('kafkaNames', () => {
  it('keeps the bare names in the default (empty) namespace, so an existing deployment keeps its topics and groups', () => {
    const names = kafkaNames('');
    expect(names.topics).toEqual(TOPICS);
    expect(names.groups).toEqual(CONSUMER_GROUPS);
    expect(names.allTopics).toEqual([
      'orders',
      'payments',
      'notifications',
      'petstore-inventory.dlq',
      'petstore-orders.dlq',
      'petstore-payments.dlq',
      'petstore-notifications.dlq',
      'petstore-order-history.dlq',
    ]);
    expect(names.throwawayGroup('bench')).toMatch(/^petstore-bench-[0-9a-f-]{36}$/);
  });

  it('prefixes every topic, dead-letter topic and group with <namespace>.', () => {
    const names = kafkaNames('team-a');
    expect(names.topics).toEqual({ orders: 'team-a.orders', payments: 'team-a.payments', notifications: 'team-a.notifications' });
    expect(names.topic('payments')).toBe('team-a.payments');
    expect(names.groups.inventory).toBe('team-a.petstore-inventory');
    expect(dlqTopic(names.groups.inventory)).toBe('team-a.petstore-inventory.dlq');
    expect(names.throwawayGroup('support-read')).toMatch(/^team-a\.petstore-support-read-/);
    // One prefix covers the deployment (a Kafka ACL on "team-a." with the PREFIXED pattern), and no other's names.
    expect([...names.allTopics, ...names.allGroups].every((n) => n.startsWith('team-a.'))).toBe(true);
    expect([...names.allTopics, ...names.allGroups].every((n) => /^[a-z0-9.-]{1,249}$/.test(n))).toBe(true);
  });
});
