// `npm run record:histories [-- --tag <change-id>]`: records one history of every order-saga path on
// the time-skipping test server, with fake activities, into test/workflows/histories/. Those histories
// are the determinism gate (test/workflows/replay.test.ts): run this by hand after a change to the saga,
// never in CI. It uses the compiled dist/ code (built first when a source is newer), starts each saga as
// POST /orders does (update-with-start), and refuses to overwrite a history: sagas of the old code may
// still be open, so their histories stay. `--tag <change-id>` writes `<path>.<change-id>.json`.
'use strict';
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { ensureReady, root } = require('./bootstrap');

ensureReady();
const dist = (path) => require(join(root, 'dist', path));
const { WithStartWorkflowOperation, WorkflowUpdateStage } = require('@temporalio/client');
const { historyToJSON: historyToJSONString } = require('@temporalio/common/lib/proto-utils');
const { temporal } = require('@temporalio/proto');
const { TestWorkflowEnvironment } = require('@temporalio/testing');
const { bundleWorkflowCode, DefaultLogger, Runtime, Worker } = require('@temporalio/worker');
const { ORDER_STATUS, CANCEL_REASON } = dist('domain/orders');
const { COMPENSATION_ATTRIBUTE, CUSTOMER_ID_ATTRIBUTE, ORDER_STATUS_ATTRIBUTE } = dist('domain/search-attributes');
const { loadConfig } = dist('lib/config');
const { waitFor } = dist('lib/wait');
const { ensureTestServer } = dist('stack/temporal-cli');
const { ORDER_SAGA, cancelUpdate, compensationResultSignal, inventoryResultSignal, orderWorkflowId, paymentResultSignal, placedUpdate, sagaStateQuery } =
  dist('workflows/definitions');

const historyToJSON = (history) => JSON.stringify(JSON.parse(historyToJSONString(history)), null, 2);

const HISTORIES_DIR = join(root, 'test', 'workflows', 'histories');
const TASK_QUEUE = 'record-histories';
const MINUTE = 60_000;
const DEADLINES = { inventoryMs: 30_000, paymentMs: 15 * MINUTE, paymentRetryWindowMs: 0 };

const reserved = { eventId: 'inv-1', outcome: 'RESERVED', items: [{ petId: 'pet-rex', quantity: 2, unitPriceCents: 12_345 }], totalCents: 24_690, currency: 'EUR' };
const rejected = { eventId: 'inv-1', outcome: 'REJECTED', reason: CANCEL_REASON.OUT_OF_STOCK };
// The saga names the payment (state.expectedPaymentId, from patch saga-picks-payment-id on); older code learns it from the answer.
const succeeded = (eventId, paymentId, amountCents = 24_690) => ({ eventId, outcome: 'SUCCEEDED', paymentId, amountCents, currency: 'EUR' });
const declined = (paymentId) => ({ eventId: 'pay-1', outcome: 'FAILED', paymentId, reason: 'card declined' });
const restocked = { eventId: 'rel-1', kind: 'RESTOCKED', items: [{ petId: 'pet-rex', quantity: 2 }] };
const refunded = (paymentId, forCancellation = true) => ({ eventId: forCancellation ? 'ref-1' : 'ref-other', kind: 'REFUNDED', paymentId, amountCents: 24_690, currency: 'EUR', forCancellation });
const paymentIdOf = async (handle) => (await handle.query(sagaStateQuery)).expectedPaymentId ?? 'payment-1';

/** Fake order activities (the saga's database steps); `hold(name)` keeps the next call open until released. */
function fakeActivities() {
  const held = new Map();
  const step = (name) => async () => {
    const hold = held.get(name);
    if (!hold) return;
    held.delete(name);
    hold.enter();
    await hold.gate;
  };
  return {
    activities: {
      placeOrder: step('placeOrder'),
      recordReservation: step('recordReservation'),
      confirmOrder: step('confirmOrder'),
      cancelOrder: step('cancelOrder'),
      recordCompensation: step('recordCompensation'),
      reportPaymentMismatch: step('reportPaymentMismatch'),
    },
    hold(name) {
      let enter, release;
      const entered = new Promise((resolve) => (enter = resolve));
      const gate = new Promise((resolve) => (release = resolve));
      held.set(name, { enter, gate });
      return { entered, release };
    },
  };
}

/** Every saga path the gate covers: file name → how to drive a saga down it. The order ids are fixed. */
const PATHS = {
  happy: async ({ handle }) => {
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    await handle.signal(paymentResultSignal, succeeded('pay-1', await paymentIdOf(handle)));
  },
  'out-of-stock': async ({ handle }) => {
    await handle.signal(inventoryResultSignal, rejected);
  },
  declined: async ({ handle }) => {
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    await handle.signal(paymentResultSignal, declined(await paymentIdOf(handle)));
    await untilStatus(handle, ORDER_STATUS.CANCELLED);
    await handle.signal(compensationResultSignal, restocked);
  },
  'pending-then-paid': async ({ handle, env }) => {
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    await env.sleep(5 * MINUTE); // tok_pending: the payment succeeds five minutes later
    await handle.signal(paymentResultSignal, succeeded('pay-1', await paymentIdOf(handle)));
  },
  deadline: async ({ handle, env }) => {
    // tok_pending and nothing more: the payment deadline (15 minutes, skipped) cancels the order.
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    await env.sleep(16 * MINUTE);
    await untilStatus(handle, ORDER_STATUS.CANCELLED);
    await handle.signal(compensationResultSignal, restocked);
  },
  'customer-cancel': async ({ handle }) => {
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    await handle.executeUpdate(cancelUpdate, { args: [{ actor: 'customer', requestedBy: 'customer-1' }] });
    await handle.signal(compensationResultSignal, restocked);
  },
  'support-cancel-refund': async ({ handle, fakes }) => {
    // As in order-saga.test.ts: confirmOrder is held so support's cancel lands after the payment succeeded.
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    const confirm = fakes.hold('confirmOrder');
    const paymentId = await paymentIdOf(handle);
    await handle.signal(paymentResultSignal, succeeded('pay-1', paymentId));
    await confirm.entered;
    const update = await handle.startUpdate(cancelUpdate, { args: [{ actor: 'support', requestedBy: 'support-1' }], waitForStage: WorkflowUpdateStage.ACCEPTED });
    confirm.release();
    await update.result();
    await handle.signal(compensationResultSignal, refunded(paymentId));
    await handle.signal(compensationResultSignal, restocked);
  },
  'payment-mismatch': async ({ handle }) => {
    // Payment reports a capture of another amount: cancelled, reported, and refunded.
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    const paymentId = await paymentIdOf(handle);
    await handle.signal(paymentResultSignal, succeeded('pay-1', paymentId, 1));
    await untilStatus(handle, ORDER_STATUS.CANCELLED);
    await handle.signal(compensationResultSignal, restocked);
    await handle.signal(compensationResultSignal, refunded(paymentId));
  },
  'compensation-stuck': async ({ handle, env }) => {
    // Nobody restocks before the compensation deadline: stuck; a refund nobody asked for changes nothing; the late restock ends it.
    await handle.signal(inventoryResultSignal, reserved);
    await untilStatus(handle, ORDER_STATUS.AWAITING_PAYMENT);
    const paymentId = await paymentIdOf(handle);
    await handle.signal(paymentResultSignal, declined(paymentId));
    await untilStatus(handle, ORDER_STATUS.CANCELLED);
    await env.sleep(11 * MINUTE);
    await waitFor(`saga ${handle.workflowId}'s compensation to be stuck`, async () => (await handle.query(sagaStateQuery)).compensation === 'stuck', { timeoutMs: 10_000, intervalMs: 20 });
    await handle.signal(compensationResultSignal, refunded(paymentId, false));
    await handle.signal(compensationResultSignal, restocked);
  },
};
/** What each path must end in, so a wrong recording is caught here rather than committed. */
const EXPECTED = {
  happy: [ORDER_STATUS.CONFIRMED, null],
  'out-of-stock': [ORDER_STATUS.CANCELLED, CANCEL_REASON.OUT_OF_STOCK],
  declined: [ORDER_STATUS.CANCELLED, CANCEL_REASON.PAYMENT_DECLINED],
  'pending-then-paid': [ORDER_STATUS.CONFIRMED, null],
  deadline: [ORDER_STATUS.CANCELLED, CANCEL_REASON.PAYMENT_TIMEOUT],
  'customer-cancel': [ORDER_STATUS.CANCELLED, CANCEL_REASON.CANCELLED_BY_CUSTOMER],
  'support-cancel-refund': [ORDER_STATUS.CANCELLED, CANCEL_REASON.CANCELLED_BY_SUPPORT],
  'payment-mismatch': [ORDER_STATUS.CANCELLED, CANCEL_REASON.PAYMENT_MISMATCH],
  'compensation-stuck': [ORDER_STATUS.CANCELLED, CANCEL_REASON.PAYMENT_DECLINED],
};

async function untilStatus(handle, status) {
  let last;
  return waitFor(
    `saga ${handle.workflowId} to be ${status}`,
    async () => {
      last = await handle.query(sagaStateQuery);
      return last.status === status ? last : undefined;
    },
    { timeoutMs: 10_000, intervalMs: 20, hint: () => `last state: ${JSON.stringify(last)}` },
  );
}

function parseArgs(argv) {
  const usage = 'usage: npm run record:histories [-- --tag <change-id>]';
  if (argv.length === 0) return { tag: undefined };
  if (argv.length === 2 && argv[0] === '--tag' && /^[a-z0-9][a-z0-9-]*$/.test(argv[1])) return { tag: argv[1] };
  throw Object.assign(new Error(`${usage}\n(a tag is lower-case letters, digits and dashes)`), { exitCode: 2 });
}

async function main() {
  const { tag } = parseArgs(process.argv.slice(2));
  const fileOf = (name) => join(HISTORIES_DIR, tag ? `${name}.${tag}.json` : `${name}.json`);
  const taken = Object.keys(PATHS).map(fileOf).filter((file) => existsSync(file));
  if (taken.length > 0) {
    throw Object.assign(
      new Error(`refusing to overwrite recorded histories (sagas of that code may still be open):\n  ${taken.join('\n  ')}\nrecord the new code path with --tag <change-id>`),
      { exitCode: 1 },
    );
  }

  Runtime.install({ logger: new DefaultLogger('WARN'), telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'WARN' } } } });
  const server = await ensureTestServer(loadConfig(), (line) => process.stderr.write(`${line}\n`));
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: server } } });
  try {
    // The saga upserts OrderStatus at every step; the test server must know the attributes first.
    await env.connection.operatorService.addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        [ORDER_STATUS_ATTRIBUTE, CUSTOMER_ID_ATTRIBUTE, COMPENSATION_ATTRIBUTE].map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
      ),
    });
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: join(root, 'dist', 'workflows', 'index.js'), logger: new DefaultLogger('WARN') });
    const fakes = fakeActivities();
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities: fakes.activities });
    const recorded = {};
    await worker.runUntil(async () => {
      for (const [name, drive] of Object.entries(PATHS)) {
        const orderId = `replay-${name}`;
        const input = {
          orderId,
          userId: 'customer-1',
          items: [{ petId: 'pet-rex', quantity: 2 }],
          paymentToken: name === 'pending-then-paid' || name === 'deadline' ? 'tok_pending' : 'tok_ok',
          requestHash: `hash-${orderId}`,
          deadlines: DEADLINES,
        };
        await env.client.workflow.executeUpdateWithStart(placedUpdate, {
          args: [{ requestHash: input.requestHash }],
          startWorkflowOperation: new WithStartWorkflowOperation(ORDER_SAGA, {
            workflowId: orderWorkflowId(orderId),
            taskQueue: TASK_QUEUE,
            args: [input],
            workflowIdConflictPolicy: 'USE_EXISTING',
            // 2 s instead of 10 s: an update sent while a held local activity keeps the task open lands sooner.
            workflowTaskTimeout: name === 'support-cancel-refund' ? '2 seconds' : undefined,
          }),
        });
        const handle = env.client.workflow.getHandle(orderWorkflowId(orderId));
        await drive({ handle, env, fakes });
        const final = await handle.result();
        const [status, reason] = EXPECTED[name];
        if (final.status !== status || final.cancelReason !== reason || (status === ORDER_STATUS.CANCELLED && final.compensation !== 'done')) {
          throw new Error(`${name}: the saga ended ${final.status} (${final.cancelReason}, compensation ${final.compensation}), expected ${status} (${reason})`);
        }
        recorded[name] = historyToJSON(await handle.fetchHistory());
        process.stderr.write(`recorded ${name}: ${final.status}${final.cancelReason ? ` (${final.cancelReason})` : ''}\n`);
      }
    });
    // Written only once every path is recorded, so a failed run leaves no partial set behind.
    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const [name, json] of Object.entries(recorded)) writeFileSync(fileOf(name), `${json}\n`);
    process.stderr.write(`wrote ${Object.keys(recorded).length} histories to ${HISTORIES_DIR}\n`);
  } finally {
    await env.teardown();
  }
}

main().catch((error) => {
  process.stderr.write(`record-histories: ${error.message}\n`);
  if (!error.exitCode) process.stderr.write(`${error.stack}\n`);
  process.exit(error.exitCode ?? 1);
});
