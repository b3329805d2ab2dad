import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config, TemporalWorkerTuning } from '../lib/config';
import { crash, type Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { temporalConnectionOptions, temporalDataConverter } from '../lib/temporal';

/**
 * WorkerOptions from the configured tuning (TEMPORAL_* variables). With no activity pollers the worker
 * runs local activities only (every saga step is one) and never polls the activity task queue.
 */
export function workerTuningOptions(tuning: TemporalWorkerTuning): Partial<WorkerOptions> {
  return {
    ...(tuning.maxCachedWorkflows === undefined ? {} : { maxCachedWorkflows: tuning.maxCachedWorkflows }),
    maxConcurrentWorkflowTaskExecutions: tuning.maxConcurrentWorkflowTaskExecutions,
    maxConcurrentWorkflowTaskPolls: tuning.maxConcurrentWorkflowTaskPolls,
    maxConcurrentLocalActivityExecutions: tuning.maxConcurrentLocalActivityExecutions,
    reuseV8Context: tuning.reuseV8Context,
    ...(tuning.maxConcurrentActivityTaskPolls === 0
      ? { enableNonLocalActivities: false }
      : { enableNonLocalActivities: true, maxConcurrentActivityTaskPolls: tuning.maxConcurrentActivityTaskPolls }),
  };
}

/**
 * The saga worker's settings: the configured namespace and task queue, the saga's workflows and the given
 * activities, then `options` over them. The ceiling benchmark builds its worker from here too (with its own
 * task queue, workflows and activities), so it runs with whatever the saga worker runs with.
 */
export function sagaWorkerOptions({ config, connection, activities, options = {} }: { config: Config; connection: NativeConnection; activities: object; options?: Partial<WorkerOptions> }): WorkerOptions {
  return {
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    workflowsPath: require.resolve('../workflows'),
    activities,
    // The codec runs in the worker's main thread, outside the workflow sandbox.
    dataConverter: temporalDataConverter(config),
    ...workerTuningOptions(config.temporal.worker),
    ...options,
  };
}

/** The Temporal worker as a component: polls the task queue for the saga and the given activities. */
export function temporalWorker({
  config,
  logger,
  activities,
  options = {},
}: {
  config: Config;
  logger: Logger;
  activities: object;
  options?: Partial<WorkerOptions>;
}): Component {
  let connection: NativeConnection | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  return {
    name: 'temporal-worker',
    async start() {
      connection = await NativeConnection.connect(temporalConnectionOptions(config));
      worker = await Worker.create(sagaWorkerOptions({ config, connection, activities, options }));
      running = worker.run().catch((error: unknown) => crash(logger, 'temporal-worker', error));
      logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace }, 'temporal worker polling');
    },
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection?.close();
    },
  };
}
