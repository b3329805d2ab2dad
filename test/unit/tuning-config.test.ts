import { ConfigError, ENV_VARS, loadConfig } from '../../lib/config';
import { workerTuningOptions } from '../../runtime/temporal-worker';

const UNTUNED = {
  TEMPORAL_MAX_CACHED_WORKFLOWS: 'sdk',
  TEMPORAL_ACTIVITY_TASK_POLLERS: '10',
  CONSUMER_PARTITIONS_CONCURRENTLY: '3',
  KAFKA_CONSUMER_MAX_WAIT: '50ms',
  OUTBOX_RELAY_PRODUCER_PER_SCHEMA: 'off',
  PETSTORE_TEMPORAL_SQLITE_PRAGMAS: 'none',
};

describe('performance settings', () => {
  it('have tuned defaults', () => {
    const config = loadConfig({});
    expect(config.temporal.worker).toEqual({
      maxCachedWorkflows: 250,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentWorkflowTaskPolls: 10,
      maxConcurrentLocalActivityExecutions: 100,
      maxConcurrentActivityTaskPolls: 0,
      reuseV8Context: true,
    });
    expect(config.consumers).toMatchObject({ partitionsConcurrently: 6, maxWaitMs: 500, minBytes: 1 });
    expect(config.relay).toEqual({ batchSize: 500, safetyPollMs: 1000, producerPerSchema: true, retentionMs: 3_600_000 });
    expect(config.temporal.sqlitePragmas).toEqual(['journal_mode=wal', 'synchronous=normal']);
  });

  it('take the local Temporal dev server\'s SQLite pragmas, or none, and refuse anything else', () => {
    expect(loadConfig({ PETSTORE_TEMPORAL_SQLITE_PRAGMAS: 'none' }).temporal.sqlitePragmas).toEqual([]);
    expect(loadConfig({ PETSTORE_TEMPORAL_SQLITE_PRAGMAS: 'journal_mode=wal, busy_timeout=5000' }).temporal.sqlitePragmas).toEqual(['journal_mode=wal', 'busy_timeout=5000']);
    expect(() => loadConfig({ PETSTORE_TEMPORAL_SQLITE_PRAGMAS: 'journal_mode=wal; drop table x' })).toThrow(ConfigError);
  });

  it('restore the untuned settings by environment', () => {
    const config = loadConfig(UNTUNED);
    expect(config.temporal.worker).toMatchObject({ maxCachedWorkflows: undefined, maxConcurrentActivityTaskPolls: 10 });
    expect(config.consumers).toMatchObject({ partitionsConcurrently: 3, maxWaitMs: 50 });
    expect(config.relay.producerPerSchema).toBe(false);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      TEMPORAL_MAX_CACHED_WORKFLOWS: '0',
      TEMPORAL_WORKFLOW_TASK_SLOTS: '8',
      TEMPORAL_WORKFLOW_TASK_POLLERS: '4',
      TEMPORAL_LOCAL_ACTIVITY_SLOTS: '16',
      TEMPORAL_ACTIVITY_TASK_POLLERS: '2',
      TEMPORAL_REUSE_V8_CONTEXT: 'off',
      KAFKA_CONSUMER_MIN_BYTES: '1024',
      OUTBOX_RELAY_BATCH: '100',
      OUTBOX_RELAY_SAFETY_POLL: '250ms',
    });
    expect(config.temporal.worker).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentWorkflowTaskPolls: 4,
      maxConcurrentLocalActivityExecutions: 16,
      maxConcurrentActivityTaskPolls: 2,
      reuseV8Context: false,
    });
    expect(config.consumers.minBytes).toBe(1024);
    expect(config.relay).toMatchObject({ batchSize: 100, safetyPollMs: 250 });
  });

  it.each([
    [{ TEMPORAL_MAX_CACHED_WORKFLOWS: 'lots' }, /TEMPORAL_MAX_CACHED_WORKFLOWS must be a whole number of at least 0/],
    [{ TEMPORAL_WORKFLOW_TASK_POLLERS: '1' }, /TEMPORAL_WORKFLOW_TASK_POLLERS must be a whole number of at least 2/],
    [{ TEMPORAL_WORKFLOW_TASK_SLOTS: '4' }, /TEMPORAL_WORKFLOW_TASK_POLLERS \(10\) cannot be more than TEMPORAL_WORKFLOW_TASK_SLOTS \(4\)/],
    [{ TEMPORAL_ACTIVITY_TASK_POLLERS: '-1' }, /TEMPORAL_ACTIVITY_TASK_POLLERS must be a whole number of at least 0/],
    [{ TEMPORAL_REUSE_V8_CONTEXT: 'maybe' }, /TEMPORAL_REUSE_V8_CONTEXT must be on or off/],
    [{ CONSUMER_PARTITIONS_CONCURRENTLY: '0' }, /CONSUMER_PARTITIONS_CONCURRENTLY must be a whole number of at least 1/],
    [{ KAFKA_CONSUMER_MAX_WAIT: 'soon' }, /KAFKA_CONSUMER_MAX_WAIT must be a duration/],
    [{ OUTBOX_RELAY_BATCH: '0' }, /OUTBOX_RELAY_BATCH must be a whole number of at least 1/],
    [{ OUTBOX_RELAY_PRODUCER_PER_SCHEMA: 'both' }, /OUTBOX_RELAY_PRODUCER_PER_SCHEMA must be on or off/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('become worker options: no activity pollers means local activities only; "sdk" leaves the cache size to the SDK', () => {
    expect(workerTuningOptions(loadConfig({}).temporal.worker)).toEqual({
      maxCachedWorkflows: 250,
      maxConcurrentWorkflowTaskExecutions: 40,
      maxConcurrentWorkflowTaskPolls: 10,
      maxConcurrentLocalActivityExecutions: 100,
      reuseV8Context: true,
      enableNonLocalActivities: false,
    });
    const untuned = workerTuningOptions(loadConfig(UNTUNED).temporal.worker);
    expect(untuned).not.toHaveProperty('maxCachedWorkflows');
    expect(untuned).toMatchObject({ enableNonLocalActivities: true, maxConcurrentActivityTaskPolls: 10 });
  });

  it('are documented in ENV_VARS', () => {
    for (const name of [
      ...Object.keys(UNTUNED),
      'TEMPORAL_WORKFLOW_TASK_SLOTS',
      'TEMPORAL_WORKFLOW_TASK_POLLERS',
      'TEMPORAL_LOCAL_ACTIVITY_SLOTS',
      'TEMPORAL_REUSE_V8_CONTEXT',
      'KAFKA_CONSUMER_MIN_BYTES',
      'OUTBOX_RELAY_BATCH',
      'OUTBOX_RELAY_SAFETY_POLL',
    ]) {
      expect(ENV_VARS).toHaveProperty(name);
    }
  });
});
