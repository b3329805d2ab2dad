import { Command } from 'commander';
import { EXIT } from '../../cli/errors';
import { eventsCommand, formatTailLine, renderDeadLetters, renderReplay } from '../../cli/commands/events';
import { addSupportCommands, parseOlderThan, renderExplanation, renderStuck } from '../../cli/commands/orders-support';
import { deriveHistory } from '../../domain/order-history';
import type { DeadLetter } from '../../support/dlq';
import type { Explanation } from '../../support/explain';
import type { StuckReport } from '../../support/stuck';
import { runInProcess } from '../helpers/cli-in-process';

/** The support commands wired as program.ts wires every group, with output captured. */
const run = (args: string[]) =>
  runInProcess((io) => {
    const orders = new Command('orders');
    addSupportCommands(orders, io);
    return [orders, eventsCommand(io)];
  }, args);

describe('support commands: usage', () => {
  it('has an Example: in the help of every support command', async () => {
    for (const args of [['orders', 'stuck'], ['orders', 'explain'], ['events'], ['events', 'tail'], ['events', 'dlq', 'list'], ['events', 'dlq', 'replay']]) {
      const { code, out } = await run([...args, '--help']);
      expect({ args, code }).toEqual({ args, code: EXIT.ok });
      expect(out).toMatch(/Example:\n\s+\$ petstore /);
    }
  });

  it.each([
    [['orders', 'stuck', '--older-than', 'soon'], /--older-than must be a duration such as 0s, 90s, 5m/],
    [['orders', 'stuck', '--status', 'LOST'], /Allowed choices are PLACED, AWAITING_INVENTORY, AWAITING_PAYMENT, CONFIRMED, CANCELLED/],
    [['orders', 'explain'], /missing required argument 'orderId'/],
    [['events', 'tail', 'order'], /unknown topic "order" \(choose from orders, payments, notifications, petstore-inventory.dlq/],
    [['events', 'tail', 'orders', '--limit', '0'], /--limit must be a whole number of at least 1/],
    [['events', 'dlq', 'list', '--group', 'shipping'], /unknown consumer group "shipping"/],
    [['events', 'dlq', 'replay'], /name the dead letters to replay .* or pass --all/],
    [['events', 'dlq', 'replay', 'petstore-inventory:0:1', '--all'], /ids or --all, not both/],
    [['events', 'dlq', 'replay', 'petstore-inventory:0:1', '--group', 'inventory'], /--group goes with --all/],
    [['events', 'dlq', 'replay', 'petstore-inventory:zero:1'], /is not a dead-letter id: expected <group>:<partition>:<offset>/],
  ])('exits 2 on %j before touching any server', async (args, message) => {
    const { code, err } = await run(args);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(message);
  });

  it('parses --older-than into milliseconds', () => {
    expect(parseOlderThan('1h30m')).toBe(5_400_000);
  });
});

describe('support commands: rendering', () => {
  const stuck: StuckReport = {
    query: 'WorkflowType="orderSaga" AND ExecutionStatus="Running"',
    olderThanMs: 300_000,
    checkedAt: '2026-11-24T12:00:00.000Z',
    warnings: [],
    orders: [
      {
        orderId: 'o-1', workflowId: 'order-o-1', runId: 'r', status: 'AWAITING_PAYMENT', waitingFor: 'the payment to succeed', since: '2026-11-24T11:48:00.000Z', waitingMs: 720_000,
        deadline: '2026-11-24T12:03:00.000Z', customerId: 'alice', startedAt: '2026-11-24T11:47:59.000Z', link: 'http://ui/namespaces/default/workflows/order-o-1', stateError: null,
      },
      {
        orderId: 'o-2', workflowId: 'order-o-2', runId: 'r', status: 'AWAITING_INVENTORY', waitingFor: null, since: '2026-11-24T11:50:00.000Z', waitingMs: 600_000,
        deadline: null, customerId: null, startedAt: '2026-11-24T11:50:00.000Z', link: 'http://ui/namespaces/default/workflows/order-o-2', stateError: 'no answer',
      },
    ],
  };

  it('shows stuck orders with what they wait for, since when, and their Temporal link', () => {
    const text = renderStuck(stuck);
    expect(text).toMatch(/order\s+status\s+waiting for\s+since\s+deadline\s+customer\s+Temporal UI/);
    expect(text).toMatch(/o-1\s+AWAITING_PAYMENT\s+the payment to succeed\s+12m00s ago\s+2026-11-24 12:03:00.000\s+alice\s+http:\/\/ui\/namespaces\/default\/workflows\/order-o-1/);
    expect(text).toMatch(/o-2\s+AWAITING_INVENTORY\s+\(unknown\)\s+10m00s ago\s+-\s+-/);
    expect(text).toMatch(/2 open saga\(s\) waiting longer than 5m00s/);
    expect(renderStuck({ ...stuck, orders: [] })).toBe('no open saga has waited longer than 5m00s');
  });

  it('shows an explanation: the order, its saga and link, then the timeline', () => {
    const explanation: Explanation = {
      orderId: 'o-1',
      order: null,
      workflow: { workflowId: 'order-o-1', runId: 'r', status: 'RUNNING', startTime: '2026-11-24T11:47:59.000Z', closeTime: null, link: 'http://ui/w/order-o-1' },
      state: {
        orderId: 'o-1', userId: 'alice', status: 'AWAITING_PAYMENT', cancelReason: null, waitingFor: 'the payment to succeed', deadline: '2026-11-24T12:03:00.000Z',
        totalCents: 100, currency: 'EUR', paymentId: null, history: [],
      },
      history: deriveHistory('o-1', 'alice', {
        e1: { type: 'OrderPlaced', time: '2026-11-24T11:47:59.100Z', data: { items: [{ petId: 'p', quantity: 1 }] } },
        e2: { type: 'InventoryReserved', time: '2026-11-24T11:48:00.000Z', data: { items: [{ petId: 'p', quantity: 1, unitPriceCents: 100 }], totalCents: 100, currency: 'EUR' } },
        e3: { type: 'PaymentFailed', time: '2026-11-24T11:48:01.000Z', data: { paymentId: 'pay-1', reason: 'DECLINED' } },
      }),
      timeline: [{ time: '2026-11-24T11:47:59.000Z', source: 'temporal', what: 'workflow started', detail: 'orderSaga on task queue petstore' }],
      warnings: ['kafka: down'],
    };
    const text = renderExplanation(explanation);
    expect(text.split('\n').slice(0, 4)).toEqual([
      'order o-1: AWAITING_PAYMENT',
      'saga order-o-1: RUNNING, waiting for the payment to succeed until 2026-11-24 12:03:00.000',
      'Temporal UI: http://ui/w/order-o-1',
      'history (from the events): AWAITING_PAYMENT; 3 event(s); AWAITING_INVENTORY 2026-11-24 11:47:59.100 → AWAITING_PAYMENT 2026-11-24 11:48:00.000; payment FAILED after 1 attempt(s); 1 notification(s) asked for',
    ]);
    expect(text).toMatch(/2026-11-24 11:47:59.000\s+temporal\s+workflow started\s+orderSaga on task queue petstore/);
  });

  const letter: DeadLetter = {
    id: 'petstore-inventory:0:7', group: 'petstore-inventory', partition: 0, offset: '7', originalTopic: 'orders', originalPartition: 3, originalOffset: '41',
    error: 'PoisonMessageError: not JSON: Unexpected token', attempts: 1, failedAt: '2026-11-24T10:00:00.000Z', key: 'k-1', eventId: null, eventType: null, orderId: null,
    invalid: 'not JSON', replayed: null,
  };

  it('lists dead letters with where they came from, why, and whether they were replayed', () => {
    const text = renderDeadLetters({ groups: ['petstore-inventory'], letters: [letter, { ...letter, id: 'petstore-inventory:0:8', replayed: { at: '2026-11-24T11:00:00.000Z', by: 'ann@box' } }] });
    expect(text).toMatch(/petstore-inventory:0:7\s+orders\[3\]@41\s+PoisonMessageError: not JSON: Unexpected token\s+1\s+2026-11-24 10:00:00.000\s+\(invalid\)\s+k-1\s+no/);
    expect(text).toMatch(/petstore-inventory:0:8 .* yes, 2026-11-24 11:00:00.000/);
    expect(text).toMatch(/2 dead letter\(s\), 1 replayed/);
    expect(renderDeadLetters({ groups: ['petstore-inventory'], letters: [] })).toBe('no dead letters in petstore-inventory.dlq');
  });

  it('says a dry run sent nothing, and counts what a replay did', () => {
    const outcome = { id: letter.id, topic: 'orders', eventType: null, orderId: null };
    expect(renderReplay({ dryRun: true, outcomes: [{ ...outcome, action: 'would replay', note: null }] })).toMatch(/would replay[\s\S]*dry run: nothing was sent; add --yes to replay 1 letter\(s\)/);
    expect(renderReplay({ dryRun: false, outcomes: [{ ...outcome, action: 'already replayed', note: 'on x by y' }] })).toMatch(/replayed 0, already replayed 1, not replayable 0, not found 0/);
  });

  it('prints a tailed message in one line, and says when it is not an event', () => {
    const base = { topic: 'orders', partition: 2, offset: '9', timestamp: '2026-11-24T10:00:00.050Z', key: 'o-1', headers: {} };
    const event = { type: 'OrderPlaced', orderId: 'o-1', time: '2026-11-24T10:00:00.000Z', data: { userId: 'alice', items: [{}], paymentToken: 'tok_secret' } };
    expect(formatTailLine({ ...base, event })).toBe('2026-11-24 10:00:00.000  orders[2]@9  OrderPlaced  o-1  userId=alice items=[1]');
    expect(formatTailLine({ ...base, event: null, value: '{not json' })).toBe('2026-11-24 10:00:00.050  orders[2]@9  (not an event)  key=o-1  {not json');
  });
});
