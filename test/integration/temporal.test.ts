import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } from '../../domain/search-attributes';
import { connectTemporal } from '../../lib/temporal';
import { waitFor } from '../../lib/wait';
import { testConfig, unique } from '../helpers/config';
import { finishSignal, statusProbe } from '../helpers/probe-workflows';

describe('Temporal dev server', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../helpers/probe-workflows'), logger: new DefaultLogger('WARN') });
    connection = await connectTemporal(testConfig);
    client = new Client({ connection, namespace: testConfig.temporal.namespace });
  }, 60_000);
  afterAll(async () => {
    await connection?.close();
  });

  it('runs a workflow on a worker, and finds it by its OrderStatus search attribute', async () => {
    const taskQueue = unique('stack-test');
    const status = unique('PROBE').toUpperCase();
    const nativeConnection = await NativeConnection.connect({ address: testConfig.temporal.address });
    const worker = await Worker.create({ connection: nativeConnection, namespace: testConfig.temporal.namespace, taskQueue, workflowBundle: bundle });

    const result = await worker.runUntil(async () => {
      const handle = await client.workflow.start(statusProbe, {
        taskQueue,
        workflowId: unique('probe'),
        args: [status],
        typedSearchAttributes: [{ key: CUSTOMER_ID_ATTRIBUTE, value: 'customer-probe' }],
      });
      // Visibility is eventually consistent: the attribute shows up shortly after the upsert.
      const found = await waitFor(
        `a workflow with OrderStatus="${status}"`,
        async () => {
          const ids: string[] = [];
          for await (const wf of client.workflow.list({ query: `${ORDER_STATUS_ATTRIBUTE.name}="${status}"` })) ids.push(wf.workflowId);
          return ids.length > 0 ? ids : undefined;
        },
        { timeoutMs: 15_000 },
      );
      expect(found).toEqual([handle.workflowId]);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(CUSTOMER_ID_ATTRIBUTE)).toBe('customer-probe');
      await handle.signal(finishSignal);
      return handle.result();
    });
    await nativeConnection.close();
    expect(result).toBe(status);
  });
});
