import type { Client } from '@temporalio/client';
import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import type { HealthPort } from '../api/ports';
import { withTimeout } from '../lib/wait';

/**
 * Readiness: each dependency answers within a second and a half, checked live on every call. A failed
 * Kafka check calls `onKafkaDown`, so the next check asks through a fresh admin client rather than one
 * left stale by the broker's restart.
 */
export function healthPort({
  db,
  kafkaAdmin,
  onKafkaDown,
  temporal,
}: {
  db: Knex;
  kafkaAdmin: () => Promise<Admin>;
  onKafkaDown?: () => Promise<void>;
  temporal: () => Promise<Client>;
}): HealthPort {
  const ok = (check: () => Promise<unknown>) =>
    withTimeout(1500, check()).then(
      () => true,
      () => false,
    );
  return {
    async readiness() {
      const [postgres, kafka, temporalUp] = await Promise.all([
        ok(() => db.raw('select 1')),
        ok(async () => (await kafkaAdmin()).describeCluster()),
        ok(async () => {
          const client = await temporal();
          return client.connection.withDeadline(Date.now() + 1500, () => client.workflowService.getSystemInfo({}));
        }),
      ]);
      if (!kafka) void onKafkaDown?.();
      return { postgres, kafka, temporal: temporalUp };
    },
  };
}
