// The determinism gate: every recorded history of the order saga (test/workflows/histories, written by
// `npm run record:histories`) must replay against the current workflows/ without a non-determinism error,
// so a change to the saga's commands that is not behind patched() fails here, before it strands open sagas.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type ReplayResult, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { randomBytes } from 'node:crypto';
import { parseKeyRing } from '../../lib/keyring';
import { EncryptionCodec, isEncrypted } from '../../lib/payload-codec';
import { mapHistoryPayloads } from '../../support/temporal-history';

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

/**
 * A recorded history as the workers write it with the codec: every payload encrypted, except what sdk-core
 * writes and reads itself in markers (a local activity's `data`, a patch's `patch_data`): of a marker's
 * details only `result` goes through the codec.
 */
async function encryptLikeTheWorkers(history: temporal.api.history.v1.IHistory, codec: EncryptionCodec): Promise<void> {
  // The payload objects themselves: the mapping replaces them inside their arrays.
  const coreDetails = history.events!.map((e) =>
    Object.entries(e.markerRecordedEventAttributes?.details ?? {})
      .filter(([key]) => key !== 'result')
      .map(([key, payloads]) => [key, { payloads: payloads.payloads?.slice() }] as const),
  );
  await mapHistoryPayloads(history.events!, async (payload) => (await codec.encode([payload]))[0]!);
  history.events!.forEach((e, i) => {
    const details = e.markerRecordedEventAttributes?.details;
    if (details) for (const [key, payloads] of coreDetails[i]!) details[key] = payloads;
  });
}

/** Replays the named histories with one replay worker; each result is named by its file. */
async function replay(
  bundle: WorkflowBundleWithSourceMap,
  files: string[],
  { codec, encrypt = false }: { codec?: EncryptionCodec; encrypt?: boolean } = {},
): Promise<{ file: string; error: ReplayResult['error'] }[]> {
  const results = [];
  const histories = await Promise.all(
    files.map(async (file) => {
      const history = loadHistory(file);
      if (encrypt && codec) await encryptLikeTheWorkers(history, codec);
      return { workflowId: file, history };
    }),
  );
  const options = { workflowBundle: bundle, ...(codec ? { dataConverter: { payloadCodecs: [codec] } } : {}) };
  for await (const { workflowId, error } of Worker.runReplayHistories(options, histories)) results.push({ file: workflowId, error });
  return results;
}

describe('replay gate', () => {
  let saga: WorkflowBundleWithSourceMap;

  // Bundling takes far more than jest's 5 s on a loaded machine.
  beforeAll(async () => {
    saga = await bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
  }, 60_000);

  it('holds exactly the expected histories, one per saga path today', () => {
    expect(readdirSync(HISTORIES_DIR).sort()).toEqual(EXPECTED_HISTORIES);
  });

  it('replays every committed history against the current saga without a non-determinism error', async () => {
    const results = await replay(saga, EXPECTED_HISTORIES);
    expect(results.map(({ file, error }) => ({ file, error: error && `${error.name}: ${error.message}` }))).toEqual(
      EXPECTED_HISTORIES.map((file) => ({ file, error: undefined })),
    );
  }, 60_000);

  it('replays them with the payload codec the workers run, as recorded (plain) and encrypted', async () => {
    const codec = new EncryptionCodec(parseKeyRing(`replay:${randomBytes(32).toString('base64')}`, 'TEMPORAL_CODEC_KEYS'));
    const expected = EXPECTED_HISTORIES.map((file) => ({ file, error: undefined }));
    const plain = await replay(saga, EXPECTED_HISTORIES, { codec });
    expect(plain.map(({ file, error }) => ({ file, error: error && `${error.name}: ${error.message}` }))).toEqual(expected);
    const encrypted = await replay(saga, EXPECTED_HISTORIES, { codec, encrypt: true });
    expect(encrypted.map(({ file, error }) => ({ file, error: error && `${error.name}: ${error.message}` }))).toEqual(expected);
    // The encryption did happen: the started event's input is the codec's.
    const happy = loadHistory('happy.json');
    await encryptLikeTheWorkers(happy, codec);
    expect(isEncrypted(happy.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!)).toBe(true);
  }, 60_000);

  it('bites: the saga with its payment wait moved before the inventory wait fails the happy-path replay', async () => {
    const reordered = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/reordered-saga'), logger: new DefaultLogger('WARN') });

    const [result] = await replay(reordered, ['happy.json']);

    expect(result.error).toBeInstanceOf(DeterminismViolationError);
    expect(result.error?.name).toBe('DeterminismViolationError');
  }, 60_000);
});
