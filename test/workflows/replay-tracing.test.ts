// Tracing adds workflow interceptors to the bundle (spans for the run, signals, updates and each activity
// scheduled, context carried in headers). They must not change the saga's commands: every recorded
// history, including those of sagas started before tracing was switched on, replays with them bundled.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { workerTracingOptions, workflowSpanSinks } from '../../runtime/worker-tracing';

const HISTORIES_DIR = join(__dirname, 'histories');

describe('replay with the tracing interceptors', () => {
  it('replays every committed history without a non-determinism error', async () => {
    const exported: unknown[] = [];
    const tracing = { processor: { onEnd: (span: unknown) => exported.push(span) }, resource: {} } as unknown as Parameters<typeof workflowSpanSinks>[0];
    const options = workerTracingOptions({ ...tracing, shutdown: async () => undefined });
    const workflowBundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'),
      workflowInterceptorModules: options.interceptors!.workflowModules,
      logger: new DefaultLogger('WARN'),
    });
    expect(workflowBundle.code).toContain('OpenTelemetryInboundInterceptor');
    const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files.length).toBeGreaterThan(0);
    const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'))) }));
    const results: { file: string; error?: string }[] = [];
    for await (const { workflowId, error } of Worker.runReplayHistories({ workflowBundle, sinks: workflowSpanSinks(tracing) }, histories)) {
      results.push({ file: workflowId, error: error && `${error.name}: ${error.message}` });
    }
    expect(results).toEqual(files.map((file) => ({ file, error: undefined })));
    expect(exported).toEqual([]); // a replay exports nothing: those spans were exported when the saga ran
  }, 120_000);
});
