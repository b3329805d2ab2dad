import type { Admin } from 'kafkajs';
import { allTopics, CONSUMER_GROUPS, dlqTopic, ensureTopics } from '../../kafka/topics';

/** Only what ensureTopics calls. */
function fakeAdmin(existing: string[]) {
  const created: { topic: string; numPartitions?: number; replicationFactor?: number }[] = [];
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
    const missing = await ensureTopics(admin, { partitions: 12, replicationFactor: 3 });

    expect(missing).toEqual(allTopics().filter((t) => t !== 'orders'));
    for (const group of Object.values(CONSUMER_GROUPS)) expect(missing).toContain(dlqTopic(group));
    expect(created.map((t) => t.topic)).toEqual(missing);
    for (const topic of created) expect(topic).toMatchObject({ numPartitions: 12, replicationFactor: 3 });
  });

  it('leaves existing topics alone', async () => {
    const { admin, created } = fakeAdmin(allTopics());
    expect(await ensureTopics(admin, { partitions: 6, replicationFactor: 1 })).toEqual([]);
    expect(created).toEqual([]);
  });
});
