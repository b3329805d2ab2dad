import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ensureTestServer } from '../../stack/temporal-cli';
import { testConfig } from '../helpers/config';
import { sleepy } from '../helpers/probe-workflows';

describe('Temporal test environment with time skipping', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    const path = await ensureTestServer(testConfig, (line) => process.stderr.write(`${line}\n`));
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } } });
    bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../helpers/probe-workflows'), logger: new DefaultLogger('WARN') });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('skips a 15-minute timer in well under a second of wall time', async () => {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'time-skipping', workflowBundle: bundle });
    const began = Date.now();
    const result = await worker.runUntil(env.client.workflow.execute(sleepy, { taskQueue: 'time-skipping', workflowId: 'sleepy-1' }));
    expect(result).toBe('rested');
    expect(Date.now() - began).toBeLessThan(5_000);
  });
});
