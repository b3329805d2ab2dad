import { notificationsCommand } from '../../cli/commands/notifications';
import { paymentsCommand } from '../../cli/commands/payments';
import { EXIT } from '../../cli/errors';
import type { NotificationView } from '../../api/ports';
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

  it('refunds with a reason; a payment that cannot be refunded exits 1', async () => {
    const { api, run } = payments({
      'POST /payments/:paymentId/refund': ({ params }) => (params.paymentId === 'pay-1' ? { body: payment({ status: 'REFUNDED' }) } : problem(409, 'payment pay-2 is FAILED, not SUCCEEDED')),
    });
    const refunded = await run(['refund', 'pay-1', '--reason', 'goodwill', '--json']);
    expect(refunded.code).toBe(EXIT.ok);
    expect(JSON.parse(refunded.out).status).toBe('REFUNDED');
    expect(api.requests[0]!.body).toEqual({ reason: 'goodwill' });
    const conflict = await run(['refund', 'pay-2', '--reason', 'goodwill']);
    expect(conflict.code).toBe(EXIT.failure);
    expect(conflict.err).toMatch(/409: payment pay-2 is FAILED, not SUCCEEDED/);
    expect((await run(['refund', 'pay-1'])).code).toBe(EXIT.usage);
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
