import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../lib/config';
import { crash, type Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';

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
      connection = await NativeConnection.connect({ address: config.temporal.address });
      worker = await Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        workflowsPath: require.resolve('../workflows'),
        activities,
        ...options,
      });
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
