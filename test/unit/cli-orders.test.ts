import { ordersCommand } from '../../cli/commands/orders';
import type { CommandDeps } from '../../cli/deps';
import { EXIT } from '../../cli/errors';
import type { OrderWithLinks } from '../../cli/render/orders';
import type { OrderStatus } from '../../domain/orders';
import { NOW, fakeApi, fakeDeps, plain, problem, runGroup, type Routes, paymentView as payment } from './cli-harness';

const TEMPORAL = 'http://127.0.0.1:8233/namespaces/default/workflows/order-o-1';

const order = (overrides: Partial<OrderWithLinks> = {}): OrderWithLinks => ({
  id: 'o-1',
  userId: 'alice',
  status: 'AWAITING_PAYMENT',
  cancelReason: null,
  items: [{ petId: 'pet-1', quantity: 2, unitPriceCents: 45000 }],
  totalCents: 90000,
  currency: 'EUR',
  paymentId: 'pay-1',
  compensation: null,
  createdAt: '2025-03-01T11:55:00.000Z',
  updatedAt: '2025-03-01T11:56:00.000Z',
  links: { self: '/orders/o-1', temporal: TEMPORAL },
  ...overrides,
});

function setup(routes: Routes, overrides: Partial<CommandDeps> = {}) {
  const api = fakeApi(routes);
  const deps = fakeDeps(api, overrides);
  const run = (args: string[], options?: { interactive?: boolean }) => runGroup((io) => ordersCommand(io, deps), ['orders', ...args], options);
  return { api, deps, run };
}

describe('petstore orders get', () => {
  it('shows the order with its money, items and Temporal UI link', async () => {
    const { run } = setup({ 'GET /orders/:orderId': () => ({ body: order() }) });
    const { code, out } = await run(['get', 'o-1']);
    expect(code).toBe(EXIT.ok);
    const text = plain(out);
    expect(text).toMatch(/status\s+AWAITING_PAYMENT/);
    expect(text).toMatch(/total\s+900\.00 EUR/);
    expect(text).toMatch(/pet-1\s+2\s+450\.00 EUR\s+900\.00 EUR/);
    expect(text).toContain(`Temporal UI  ${TEMPORAL}`);
    expect(text).toMatch(/created\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \(5m ago\)/);
  });

  it('prints the order as one JSON document with --json, and exits 3 for an unknown order', async () => {
    const { run } = setup({ 'GET /orders/:orderId': ({ params }) => (params.orderId === 'o-1' ? { body: order() } : problem(404, `order ${params.orderId} not found`)) });
    expect(JSON.parse((await run(['get', 'o-1', '--json'])).out)).toEqual(order());
    const missing = await run(['get', 'o-9']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.err).toBe('error: order o-9 not found');
  });
});

describe('petstore orders list', () => {
  const page = { items: [order(), order({ id: 'o-2', status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED', totalCents: null, currency: null })], nextCursor: null };

  it('lists one customer\'s orders from /orders/user/:userId as a table with links', async () => {
    const { api, run } = setup({ 'GET /orders/user/:userId': () => ({ body: page }) });
    const { code, out } = await run(['list', '--user', 'alice']);
    expect(code).toBe(EXIT.ok);
    expect(api.requests[0]!.path).toBe('/orders/user/alice');
    expect(plain(out)).toMatch(/o-1\s+alice\s+AWAITING_PAYMENT\s+2\s+900\.00 EUR/);
    expect(plain(out)).toMatch(/o-2\s+alice\s+CANCELLED \(PAYMENT_DECLINED\)\s+2\s+-/);
    expect(out).toContain(TEMPORAL);
  });

  it('filters by status and --since (a duration back from now, or an ISO time) on /orders', async () => {
    const { api, run } = setup({ 'GET /orders': () => ({ body: page }) });
    const json = await run(['list', '--status', 'AWAITING_PAYMENT', '--since', '1h', '--json']);
    expect(json.code).toBe(EXIT.ok);
    expect(JSON.parse(json.out)).toEqual(page);
    expect(api.requests[0]!.query).toEqual({ status: 'AWAITING_PAYMENT', since: '2025-03-01T11:00:00.000Z', limit: '20' });
    await run(['list', '--since', '2d', '--user', 'bob']);
    expect(api.requests[1]!.query).toEqual({ since: '2025-02-27T12:00:00.000Z', userId: 'bob', limit: '20' });
    await run(['list', '--since', '2025-02-28T09:30:00+01:00']);
    expect(api.requests[2]!.query.since).toBe('2025-02-28T08:30:00.000Z');
  });

  it('refuses a bad --status or --since with exit 2', async () => {
    const { api, run } = setup({});
    const status = await run(['list', '--status', 'BOGUS']);
    expect(status.code).toBe(EXIT.usage);
    expect(status.err).toMatch(/Allowed choices are PLACED, AWAITING_INVENTORY, AWAITING_PAYMENT, CONFIRMED, CANCELLED/);
    const since = await run(['list', '--since', 'yesterdayish']);
    expect(since.code).toBe(EXIT.usage);
    expect(since.err).toMatch(/--since must be a duration such as 30m, 1h, 2d or an ISO time/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('petstore orders place', () => {
  it('places for a customer with --pet id[:qty] (repeats add up) and a fresh Idempotency-Key', async () => {
    const { api, run } = setup({ 'POST /orders': () => ({ status: 202, body: { orderId: 'o-1', status: 'PLACED', links: order().links } }) });
    const { code, out } = await run(['place', '--user', 'alice', '--pet', 'pet-1:2', '--pet', 'pet-2', '--pet', 'pet-1', '--payment-token', 'tok_ok']);
    expect(code).toBe(EXIT.ok);
    expect(api.requests[0]!.body).toEqual({ userId: 'alice', items: [{ petId: 'pet-1', quantity: 3 }, { petId: 'pet-2', quantity: 1 }], paymentToken: 'tok_ok' });
    expect(api.requests[0]!.headers['idempotency-key']).toBe('fresh-key');
    expect(api.requests[0]!.headers.authorization).toBe('Bearer test-token');
    expect(out).toContain('placed order o-1 for alice: PLACED');
    expect(out).toContain(TEMPORAL);
  });

  it('refuses a quantity of 0, too many of a pet, or no payment token (exit 2)', async () => {
    const { api, run } = setup({});
    const zero = await run(['place', '--user', 'alice', '--pet', 'x:0', '--payment-token', 'tok_ok']);
    expect(zero.code).toBe(EXIT.usage);
    expect(zero.err).toMatch(/--pet x:0: the quantity must be a whole number from 1 to 10, got "0"/);
    expect((await run(['place', '--user', 'alice', '--pet', 'x:6', '--pet', 'x:5', '--payment-token', 'tok_ok'])).err).toMatch(/11 in all, at most 10/);
    const noToken = await run(['place', '--user', 'alice', '--pet', 'x']);
    expect(noToken.code).toBe(EXIT.usage);
    expect(noToken.err).toMatch(/--payment-token/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('petstore orders watch', () => {
  const sequence = (statuses: OrderStatus[], last: Partial<OrderWithLinks> = {}): Routes => {
    let i = 0;
    return { 'GET /orders/:orderId': () => ({ body: order({ status: statuses[Math.min(i, statuses.length - 1)]!, ...(++i >= statuses.length ? last : {}) }) }) };
  };

  it('prints each change and exits 0 when the order is confirmed', async () => {
    const sleeps: number[] = [];
    const { run } = setup(sequence(['AWAITING_INVENTORY', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED']), { sleep: async (ms) => void sleeps.push(ms) });
    const { code, stdout } = await run(['watch', 'o-1', '--interval', '200ms']);
    expect(code).toBe(EXIT.ok);
    const lines = stdout.map(plain);
    expect(lines[0]).toContain(`Temporal UI: ${TEMPORAL}`);
    expect(lines.slice(1, 4).map((l) => l.replace(/^\d\d:\d\d:\d\d\s+/, ''))).toEqual(['AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED']);
    expect(lines[4]).toBe('confirmed: 900.00 EUR, payment pay-1');
    expect(sleeps).toEqual([200, 200, 200]);
  });

  it('exits 1 when the order is cancelled, with one JSON document under --json', async () => {
    const { run } = setup(sequence(['AWAITING_PAYMENT', 'CANCELLED'], { cancelReason: 'PAYMENT_DECLINED' }));
    const { code, stdout, err } = await run(['watch', 'o-1', '--json']);
    expect(code).toBe(EXIT.failure);
    expect(stdout).toHaveLength(1);
    const result = JSON.parse(stdout[0]!);
    expect(result.outcome).toBe('CANCELLED');
    expect(result.transitions.map((t: { status: string }) => t.status)).toEqual(['AWAITING_PAYMENT', 'CANCELLED']);
    expect(result.order.cancelReason).toBe('PAYMENT_DECLINED');
    expect(err).toBe('error: order o-1 was cancelled (PAYMENT_DECLINED)');
  });

  it('gives up after --timeout with exit 1, and exits 3 for an unknown order', async () => {
    let clock = NOW.getTime();
    const { run } = setup(sequence(['AWAITING_PAYMENT']), { now: () => new Date(clock), sleep: async (ms) => void (clock += ms) });
    const timedOut = await run(['watch', 'o-1', '--timeout', '5s']);
    expect(timedOut.code).toBe(EXIT.failure);
    expect(timedOut.err).toMatch(/order o-1 is still AWAITING_PAYMENT after 5s/);
    expect((await setup({}).run(['watch', 'o-9'])).code).toBe(EXIT.notFound);
  });

  it('spins on the terminal only, never on stdout', async () => {
    const tty = setup(sequence(['AWAITING_PAYMENT', 'CONFIRMED']));
    const shown = await tty.run(['watch', 'o-1'], { interactive: true });
    expect(shown.code).toBe(EXIT.ok);
    expect(tty.deps.drawn.join('')).toMatch(/AWAITING_PAYMENT: waiting/);
    expect(shown.out).not.toMatch(/waiting/);
    const piped = setup(sequence(['AWAITING_PAYMENT', 'CONFIRMED']));
    await piped.run(['watch', 'o-1']);
    expect(piped.deps.drawn).toEqual([]);
  });
});

describe('petstore orders cancel and force-cancel', () => {
  const routes = (status: OrderStatus): Routes => ({
    'GET /orders/:orderId': () => ({ body: order({ status }) }),
    'POST /orders/:orderId/cancel': () => ({ body: order({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' }) }),
  });

  it('cancels an unpaid order with the reason', async () => {
    const { api, run } = setup(routes('AWAITING_PAYMENT'));
    const { code, out } = await run(['cancel', 'o-1', '--reason', 'asked by phone']);
    expect(code).toBe(EXIT.ok);
    expect(api.writes()[0]!.body).toEqual({ reason: 'asked by phone' });
    expect(plain(out)).toMatch(/cancelled order o-1 \(was AWAITING_PAYMENT\)/);
  });

  it('refuses to cancel a confirmed order, pointing to force-cancel, which refunds it', async () => {
    const plainCancel = setup(routes('CONFIRMED'));
    const refused = await plainCancel.run(['cancel', 'o-1', '--reason', 'x']);
    expect(refused.code).toBe(EXIT.failure);
    expect(refused.err).toMatch(/petstore orders force-cancel o-1/);
    expect(plainCancel.api.writes()).toHaveLength(0);
    const force = setup(routes('CONFIRMED'));
    const forced = await force.run(['force-cancel', 'o-1', '--reason', 'duplicate', '--json']);
    expect(forced.code).toBe(EXIT.ok);
    expect(force.api.writes().map((r) => [r.path, r.body])).toEqual([['/orders/o-1/cancel', { reason: 'duplicate' }]]);
    expect(JSON.parse(forced.out).status).toBe('CANCELLED');
  });

  it('needs a reason of 1 to 500 characters (exit 2)', async () => {
    const { run } = setup(routes('AWAITING_PAYMENT'));
    expect((await run(['force-cancel', 'o-1'])).code).toBe(EXIT.usage);
    expect((await run(['force-cancel', 'o-1', '--reason', 'x'.repeat(501)])).code).toBe(EXIT.usage);
  });
});

describe('petstore orders retry-payment and renotify', () => {
  it('posts a payment with a fresh Idempotency-Key and exits 1 when it fails', async () => {
    const ok = setup({ 'POST /payments': () => ({ body: payment() }) });
    const paid = await ok.run(['retry-payment', 'o-1', '--payment-token', 'tok_ok']);
    expect(paid.code).toBe(EXIT.ok);
    expect(ok.api.requests[0]!.body).toEqual({ orderId: 'o-1', paymentToken: 'tok_ok' });
    expect(ok.api.requests[0]!.headers['idempotency-key']).toBe('fresh-key');
    expect(plain(paid.out)).toMatch(/amount\s+900\.00 EUR/);
    const declined = setup({ 'POST /payments': () => ({ body: payment({ status: 'FAILED', failureReason: 'DECLINED' }) }) });
    const failed = await declined.run(['retry-payment', 'o-1', '--payment-token', 'tok_declined', '--json']);
    expect(failed.code).toBe(EXIT.failure);
    expect(JSON.parse(failed.out).status).toBe('FAILED');
    expect(failed.err).toBe('error: payment pay-1 failed (DECLINED)');
  });

  it('queues a renotification, and exits 3 for an unknown order', async () => {
    const { api, run } = setup({ 'POST /orders/:orderId/renotify': ({ params }) => (params.orderId === 'o-1' ? { status: 202, body: { eventId: 'ev-1' } } : problem(404, 'order not found')) });
    const queued = await run(['renotify', 'o-1', '--reason', 'lost the e-mail', '--json']);
    expect(queued.code).toBe(EXIT.ok);
    expect(JSON.parse(queued.out)).toEqual({ orderId: 'o-1', eventId: 'ev-1' });
    expect(api.requests[0]!.body).toEqual({ reason: 'lost the e-mail' });
    expect((await run(['renotify', 'o-9'])).code).toBe(EXIT.notFound);
  });
});
