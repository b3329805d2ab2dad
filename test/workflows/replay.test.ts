// The determinism gate: every recorded history of the order saga (test/workflows/histories, written by
// `npm run record:histories`) must replay against the current workflows/ without a non-determinism error,
// so a change to the saga's commands that is not behind patched() fails here, before it strands open sagas.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';

const HISTORIES_DIR = join(__dirname, 'histories');
/** One history per saga path; a history added for a patched code path is added here too. */
const EXPECTED_HISTORIES = [
  'compensation-stuck.compensation-wait.json',
  'customer-cancel.compensation-wait.json',
  'customer-cancel.json',
  'deadline.compensation-wait.json',
  'deadline.json',
  'declined.compensation-wait.json',
  'declined.json',
  'happy.compensation-wait.json',
  'happy.json',
  'out-of-stock.compensation-wait.json',
  'out-of-stock.json',
  'payment-mismatch.compensation-wait.json',
  'pending-then-paid.compensation-wait.json',
  'pending-then-paid.json',
  'support-cancel-refund.compensation-wait.json',
  'support-cancel-refund.json',
];

/** A committed history file as the replayer takes it. */
function loadHistory(file: string): temporal.api.history.v1.IHistory {
  const history = historyFromJSON(JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8')));
  if (!history.events?.length) throw new Error(`${file} holds no history events`);
  return history;
}

/** Replays the named histories with one replay worker; each result is named by its file. */
async function replay(bundle: WorkflowBundleWithSourceMap, files: string[]): Promise<{ file: string; error: ReplayResult['error'] }[]> {
  const results = [];
  const histories = files.map((file) => ({ workflowId: file, history: loadHistory(file) }));
  for await (const { workflowId, error } of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) results.push({ file: workflowId, error });
  return results;
}

describe('replay gate', () => {
  let saga: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    saga = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  });

  it('holds exactly the expected histories, one per saga path today', () => {
    expect(readdirSync(HISTORIES_DIR).sort()).toEqual(EXPECTED_HISTORIES);
  });

  it('replays every committed history against the current saga without a non-determinism error', async () => {
    const results = await replay(saga, EXPECTED_HISTORIES);
    expect(results.map(({ file, error }) => ({ file, error: error && `${error.name}: ${error.message}` }))).toEqual(
      EXPECTED_HISTORIES.map((file) => ({ file, error: undefined })),
    );
  });

  it('bites: the saga with its payment wait moved before the inventory wait fails the happy-path replay', async () => {
    const reordered = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/reordered-saga'), logger: new DefaultLogger('WARN') });

    const [result] = await replay(reordered, ['happy.json']);

    expect(result.error).toBeInstanceOf(DeterminismViolationError);
    expect(result.error?.name).toBe('DeterminismViolationError');
  });
});
