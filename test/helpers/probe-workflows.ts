// Test-only workflows that prove the Temporal parts work; the product's workflows live in workflows/.
import { condition, defineSignal, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { ORDER_STATUS_ATTRIBUTE } from '../../domain/search-attributes';

/** Lets statusProbe finish. */
export const finishSignal = defineSignal('finish');

/** Sets OrderStatus, then waits for `finish`: long enough for a visibility query to find it. */
export async function statusProbe(status: string): Promise<string> {
  let finished = false;
  setHandler(finishSignal, () => void (finished = true));
  upsertSearchAttributes([{ key: ORDER_STATUS_ATTRIBUTE, value: status }]);
  await condition(() => finished);
  return status;
}

/** Sleeps for 15 minutes of workflow time: instant under time skipping. */
export async function sleepy(): Promise<string> {
  await sleep('15 minutes');
  return 'rested';
}
