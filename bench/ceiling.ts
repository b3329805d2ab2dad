// `petstore bench --ceiling`: how many workflows of the saga's shape the Temporal server and one
// worker with the saga worker's settings complete per second when nothing else is in the way. The
// bench runs the worker in this process, on a task queue of its own, and drives the workflows itself
// the way the services drive a saga: update-with-start, the inventory answer, the payment answer.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { OrderActivities } from '../activities';
import { ORDER_STATUS } from '../domain/orders';
import { CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../domain/search-attributes';
import type { Config } from '../lib/config';
import { namespaced } from '../lib/namespace';
import { createTemporalClient, temporalConnectionOptions } from '../lib/temporal';
import { sagaWorkerOptions } from '../runtime/temporal-worker';
import { CEILING_SAGA, type ceilingSaga } from './ceiling-workflow';
import { inventoryResultSignal, paymentResultSignal, placedUpdate, type OrderSagaInput } from '../workflows/definitions';
import type { CeilingBenchPlan } from './options';
import type { CeilingReport } from './report';
import { sampleRss } from './rss';
import { Counter, summarize } from './stats';
import { spread, temporalCost } from './temporal-cost';

/** The saga's activities, doing nothing: the ceiling measures Temporal and the worker, not the database. */
export const noopActivities: OrderActivities = {
  placeOrder: async () => undefined,
  recordReservation: async () => undefined,
  confirmOrder: async () => undefined,
  cancelOrder: async () => undefined,
};

// In-flight workflows are given this long to finish after the run; a deadline, not a wait.
const FINISH_GRACE_MS = 30_000;

/** What the saga receives from the services on its happy path, for one ceiling workflow. */
function ceilingInput(orderId: string): OrderSagaInput {
  return {
    orderId,
    userId: 'bench-ceiling',
    items: [{ petId: 'bench-pet', quantity: 1 }],
    paymentToken: 'tok_ok',
    requestHash: `ceiling-${orderId}`,
    deadlines: { inventoryMs: 30_000, paymentMs: 15 * 60_000, paymentRetryWindowMs: 0 },
  };
}

/**
 * One workflow through the saga's happy path, answered back to back as the services answer a saga:
 * Payment charges on the same InventoryReserved event that the Order service turns into the inventory
 * signal, so in the system both signals come within milliseconds of each other too.
 */
async function driveOne(client: Client, taskQueue: string, orderId: string): Promise<void> {
  const workflowId = `bench-ceiling-${orderId}`;
  const input = ceilingInput(orderId);
  await client.workflow.executeUpdateWithStart(placedUpdate, {
    args: [{ requestHash: input.requestHash }],
    startWorkflowOperation: new WithStartWorkflowOperation<typeof ceilingSaga>(CEILING_SAGA, {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: ORDER_STATUS_ATTRIBUTE, value: ORDER_STATUS.PLACED },
        { key: CUSTOMER_ID_ATTRIBUTE, value: input.userId },
      ],
      staticSummary: `Ceiling bench workflow ${orderId}`,
    }),
  });
  const handle = client.workflow.getHandle<typeof ceilingSaga>(workflowId);
  await handle.signal(inventoryResultSignal, { eventId: `inv-${orderId}`, outcome: 'RESERVED', items: [{ petId: 'bench-pet', quantity: 1, unitPriceCents: 1000 }], totalCents: 1000, currency: 'EUR' });
  await handle.signal(paymentResultSignal, { eventId: `pay-${orderId}`, outcome: 'SUCCEEDED', paymentId: `payment-${orderId}`, amountCents: 1000 });
  await handle.result();
}

/** Runs the ceiling: starts the worker, drives workflows at `concurrency` in flight for the duration, samples their cost. */
export async function runCeiling(
  plan: CeilingBenchPlan,
  { config, onProgress, signal }: { config: Config; onProgress?: (p: { elapsedMs: number; completed: number; failed: number; inFlight: number }) => void; signal?: AbortSignal },
): Promise<Omit<CeilingReport, 'file'>> {
  try {
    // Quiet: the SDK's INFO lines (bundling, worker states) would bury the progress line.
    Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'WARN' } } } });
  } catch {
    // installed already in this process
  }
  const runId = randomUUID().slice(0, 8);
  // A queue of its own, in the deployment's namespace: no saga worker takes its tasks.
  const taskQueue = namespaced(config.namespace, `petstore-bench-ceiling-${runId}`);
  const startedAt = new Date();
  const rss = sampleRss([]);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config));
  const client = await createTemporalClient(config);
  const errors = new Counter();
  const latencies: number[] = [];
  const completedIds: string[] = [];
  let failed = 0;
  let inFlight = 0;
  let elapsedMs = 0;
  try {
    const worker = await Worker.create(
      sagaWorkerOptions({ config, connection, activities: noopActivities, options: { taskQueue, workflowsPath: require.resolve('./ceiling-workflow') } }),
    );
    await worker.runUntil(async () => {
      const t0 = performance.now();
      const progress = setInterval(() => onProgress?.({ elapsedMs: performance.now() - t0, completed: latencies.length, failed, inFlight }), 1000);
      let next = 0;
      const slot = async () => {
        while (!signal?.aborted && performance.now() - t0 < plan.durationMs) {
          const orderId = `${runId}-${next++}`;
          const began = performance.now();
          inFlight += 1;
          try {
            await driveOne(client, taskQueue, orderId);
            // Only what finished inside the window counts towards the rate.
            if (performance.now() - t0 <= plan.durationMs) {
              latencies.push(performance.now() - began);
              completedIds.push(`bench-ceiling-${orderId}`);
            }
          } catch (error) {
            failed += 1;
            errors.add((error as Error).name || 'Error');
          } finally {
            inFlight -= 1;
          }
        }
      };
      const slots = Promise.all(Array.from({ length: plan.concurrency }, slot));
      const grace = new AbortController();
      await Promise.race([slots.then(() => undefined), sleep(plan.durationMs + FINISH_GRACE_MS, undefined, { signal: grace.signal }).catch(() => undefined)]);
      // The grace timer must not keep the process alive once every workflow is done.
      grace.abort();
      elapsedMs = Math.min(performance.now() - t0, plan.durationMs);
      clearInterval(progress);
    });
    const cost = plan.sample > 0 && completedIds.length > 0 ? await temporalCost(client, spread(completedIds, plan.sample)) : null;
    return {
      kind: 'ceiling',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      options: { durationMs: plan.durationMs, concurrency: plan.concurrency, sample: plan.sample },
      taskQueue,
      workflowType: CEILING_SAGA,
      completed: latencies.length,
      failed,
      ceiling: elapsedMs > 0 ? Math.round((latencies.length / (elapsedMs / 1000)) * 10) / 10 : 0,
      latencyMs: summarize(latencies),
      errors: errors.toJSON(),
      temporal: cost,
      rssMiB: rss.stop(),
      notes: [
        'the worker runs in the bench process, beside the driver: both share its CPU',
      ],
    };
  } finally {
    rss.stop();
    await client.connection.close();
    await connection.close();
  }
}
