import { notificationsCommand } from '../../cli/commands/notifications';
import { paymentsCommand } from '../../cli/commands/payments';
import { EXIT } from '../../cli/errors';
import type { NotificationView, RefundView } from '../../api/ports';
import { fakeApi, fakeDeps, plain, problem, runGroup, type Routes, paymentView as payment } from './cli-harness';

const notification = (overrides: Partial<NotificationView> = {}): NotificationView => ({
  id: 'n-1',
  userId: 'alice',
  orderId: 'o-1',
  kind: 'order-confirmed',
  channel: 'log',
  body: 'Your order o-1 is confirmed: 900.00 EUR. Thank you for shopping at the petstore, we hope your new friend settles in well!',
  status: 'DELIVERED',
  deliveredAt: '2025-03-01T11:57:00.000Z',
  createdAt: '2025-03-01T11:57:00.000Z',
  ...overrides,
});

function payments(routes: Routes) {
  const api = fakeApi(routes);
  const deps = fakeDeps(api);
  return { api, run: (args: string[]) => runGroup((io) => paymentsCommand(io, deps), ['payments', ...args]) };
}

function notifications(routes: Routes) {
  const api = fakeApi(routes);
  const deps = fakeDeps(api);
  return { api, run: (args: string[]) => runGroup((io) => notificationsCommand(io, deps), ['notifications', ...args]) };
}

describe('petstore payments', () => {
  it('gets one payment for humans and as JSON; an unknown one exits 3', async () => {
    const { run } = payments({ 'GET /payments/:paymentId': ({ params }) => (params.paymentId === 'pay-1' ? { body: payment() } : problem(404, 'payment not found')) });
    const human = await run(['get', 'pay-1']);
    expect(human.code).toBe(EXIT.ok);
    expect(plain(human.out)).toMatch(/amount\s+900\.00 EUR/);
    expect(plain(human.out)).toMatch(/status\s+SUCCEEDED/);
    expect(JSON.parse((await run(['get', 'pay-1', '--json'])).out)).toEqual(payment());
    expect((await run(['get', 'pay-9'])).code).toBe(EXIT.notFound);
  });

  it('lists an order\'s payments as a table or one JSON document; --order is required', async () => {
    const page = { items: [payment({ status: 'FAILED', failureReason: 'DECLINED' })], nextCursor: null };
    const { api, run } = payments({ 'GET /payments': () => ({ body: page }) });
    const human = await run(['list', '--order', 'o-1']);
    expect(plain(human.out)).toMatch(/pay-1\s+o-1\s+alice\s+900\.00 EUR\s+FAILED \(DECLINED\)/);
    expect(api.requests[0]!.query).toEqual({ orderId: 'o-1' });
    expect(JSON.parse((await run(['list', '--order', 'o-1', '--json'])).out)).toEqual(page);
    expect((await run(['list'])).code).toBe(EXIT.usage);
  });

  const refund = (overrides: Partial<RefundView> = {}): RefundView => ({
    id: 'r-1',
    paymentId: 'pay-1',
    orderId: 'o-1',
    amountCents: 1250,
    currency: 'EUR',
    items: [],
    reason: 'goodwill',
    actor: 'agent',
    restock: false,
    remainingCents: 88_750,
    paymentStatus: 'PARTIALLY_REFUNDED',
    gatewayRef: 'sim_re_1',
    createdAt: '2025-03-01T11:57:00.000Z',
    ...overrides,
  });

  it('refunds an amount with a generated Idempotency-Key it prints, or with the one given', async () => {
    const { api, run } = payments({ 'POST /payments/:paymentId/refunds': () => ({ body: refund() }) });
    const refunded = await run(['refund', 'pay-1', '--amount', '12.50', '--reason', 'goodwill']);
    expect(refunded.code).toBe(EXIT.ok);
    expect(plain(refunded.out)).toMatch(/amount\s+12\.50 EUR/);
    expect(plain(refunded.out)).toMatch(/remains\s+887\.50 EUR/);
    expect(plain(refunded.out)).toMatch(/payment now\s+PARTIALLY_REFUNDED/);
    expect(api.requests[0]!.path).toBe('/payments/pay-1/refunds');
    expect(api.requests[0]!.body).toEqual({ reason: 'goodwill', amountCents: 1250 });
    const key = api.requests[0]!.headers['idempotency-key']!;
    expect(key).toMatch(/^refund-[0-9a-f-]{36}$/);
    expect(refunded.err).toContain(`--idempotency-key ${key}`);

    const again = await run(['refund', 'pay-1', '--amount', '12.50', '--reason', 'goodwill', '--idempotency-key', 'k-1', '--json']);
    expect(JSON.parse(again.out)).toEqual(refund());
    expect(api.requests[1]!.headers['idempotency-key']).toBe('k-1');
    expect(again.err).toBe('');
  });

  it('refunds order lines with --item (repeatable) and --restock; neither --amount nor --item refunds the rest', async () => {
    const { api, run } = payments({ 'POST /payments/:paymentId/refunds': () => ({ body: refund({ items: [{ petId: 'p-1', quantity: 2, unitPriceCents: 500 }], restock: true }) }) });
    const lines = await run(['refund', 'pay-1', '--item', 'p-1:2', '--item', 'p-2:1', '--restock', '--reason', 'returned']);
    expect(lines.code).toBe(EXIT.ok);
    expect(plain(lines.out)).toMatch(/lines\s+2 x p-1/);
    expect(plain(lines.out)).toMatch(/restocked\s+yes/);
    expect(api.requests[0]!.body).toEqual({ reason: 'returned', items: [{ petId: 'p-1', quantity: 2 }, { petId: 'p-2', quantity: 1 }], restock: true });
    await run(['refund', 'pay-1', '--reason', 'the rest']);
    expect(api.requests[1]!.body).toEqual({ reason: 'the rest' });
  });

  it('refuses bad options before any request (exit 2), and a refund the API refuses exits 1 with its sentence', async () => {
    const { api, run } = payments({
      'POST /payments/:paymentId/refunds': () => problem(409, 'payment pay-1 cannot be refunded so: 950.00 is more than remains refundable: 887.50 of the 900.00 captured'),
    });
    for (const args of [
      ['refund', 'pay-1'],
      ['refund', 'pay-1', '--reason', 'x', '--amount', '0'],
      ['refund', 'pay-1', '--reason', 'x', '--amount', '12.505'],
      ['refund', 'pay-1', '--reason', 'x', '--item', 'p-1'],
      ['refund', 'pay-1', '--reason', 'x', '--item', 'p-1:0'],
      ['refund', 'pay-1', '--reason', 'x', '--amount', '1', '--item', 'p-1:1'],
      ['refund', 'pay-1', '--reason', 'x', '--amount', '1', '--restock'],
      ['refund', 'pay-1', '--reason', 'x', '--idempotency-key', 'has space'],
    ]) {
      expect({ args, code: (await run(args)).code }).toEqual({ args, code: EXIT.usage });
    }
    expect(api.requests).toHaveLength(0);
    const refused = await run(['refund', 'pay-1', '--amount', '950', '--reason', 'too much']);
    expect(refused.code).toBe(EXIT.failure);
    expect(refused.err).toMatch(/409: payment pay-1 cannot be refunded so: 950\.00 is more than remains refundable/);
  });

  it('lists a payment\'s refunds; an unknown payment exits 3', async () => {
    const list = { items: [refund(), refund({ id: 'r-2', items: [{ petId: 'p-1', quantity: 1, unitPriceCents: 500 }], remainingCents: 0, paymentStatus: 'REFUNDED' })] };
    const { run } = payments({ 'GET /payments/:paymentId/refunds': ({ params }) => (params.paymentId === 'pay-1' ? { body: list } : problem(404, 'payment not found')) });
    const human = await run(['refunds', 'pay-1']);
    expect(human.code).toBe(EXIT.ok);
    expect(plain(human.out)).toMatch(/r-1\s+12\.50 EUR\s+by amount\s+no\s+887\.50 EUR\s+agent\s+goodwill/);
    expect(plain(human.out)).toMatch(/r-2\s+12\.50 EUR\s+1 x p-1/);
    expect(JSON.parse((await run(['refunds', 'pay-1', '--json'])).out)).toEqual(list);
    expect((await run(['refunds', 'pay-9'])).code).toBe(EXIT.notFound);
  });
});

describe('petstore notifications list', () => {
  it('lists a customer\'s notifications with the body cut for the table, whole in JSON', async () => {
    const page = { items: [notification()], nextCursor: null };
    const { api, run } = notifications({ 'GET /notifications': () => ({ body: page }) });
    const human = await run(['list', '--user', 'alice', '--order', 'o-1', '--limit', '5']);
    expect(human.code).toBe(EXIT.ok);
    expect(plain(human.out)).toMatch(/alice\s+o-1\s+order-confirmed\s+log\s+DELIVERED\s+Your order o-1 is confirmed.*…/);
    expect(api.requests[0]!.query).toEqual({ userId: 'alice', orderId: 'o-1', limit: '5' });
    expect(JSON.parse((await run(['list', '--order', 'o-1', '--json'])).out)).toEqual(page);
  });

  it('needs --user or --order, and a sane --limit (exit 2)', async () => {
    const { api, run } = notifications({});
    const none = await run(['list']);
    expect(none.code).toBe(EXIT.usage);
    expect(none.err).toMatch(/needs --user <id>, --order <orderId> or both/);
    expect((await run(['list', '--user', 'alice', '--limit', 'many'])).code).toBe(EXIT.usage);
    expect(api.requests).toHaveLength(0);
  });
});
