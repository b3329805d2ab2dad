import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { CreatedWebhookSubscription, NotificationView, OrderView, Page, WebhookDeliveryView, WebhookSubscriptionView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { waitFor } from '../../lib/wait';
import { runInProcess } from '../helpers/cli-in-process';
import { testConfig, unique } from '../helpers/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// Webhook subscriptions on the real stack, with receivers on 127.0.0.1 (WEBHOOK_ALLOW_LOOPBACK=only):
// the verification handshake, a signed OrderConfirmed verified with a Standard Webhooks library, a replay
// with the same webhook-id, a failing endpoint disabled after its consecutive failures with its owner
// told, and subscriptions that another customer can neither see nor delete.

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Body = { type: string; timestamp: string; data: Record<string, unknown> };

describe('webhook subscriptions: handshake, signed deliveries, retries, auto-disable, replay', () => {
  let system: RunningSystem;
  let receiver: Server;
  let base: string;
  const received: Received[] = [];
  let admin: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    // /ok/... echoes every challenge and takes every event; /failing/... echoes the challenge, then answers 500.
    receiver = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body: text });
        const body = JSON.parse(text) as Body;
        if (body.type === 'webhook.verification') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: body.data.challenge }));
        res.writeHead(req.url?.startsWith('/failing') ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    system = await startSystem({
      WEBHOOK_ALLOW_LOOPBACK: 'only',
      WEBHOOK_TIMEOUT: '2s',
      WEBHOOK_MAX_CONSECUTIVE_FAILURES: '3',
      NOTIFY_DELIVERY_ATTEMPTS: '5',
      NOTIFY_DELIVERY_BACKOFF: '200ms',
      NOTIFY_DELIVERY_POLL: '100ms',
    });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
  }, 120_000);
  // Subscriptions outlive the test in the database: delete them, so no later run's orders go to a closed port.
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await system?.stop();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  const hint = () => system.output().slice(-3000);
  const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as Body;

  async function addPet(): Promise<Pet> {
    const { status, body } = await admin<Pet>('POST', '/pets', { name: unique('hooked-pet'), species: 'cat', priceCents: 3_100, stock: 5 });
    expect(status).toBe(201);
    return body;
  }

  async function placeOrder(customer: ReturnType<typeof apiClient>, pet: Pet): Promise<OrderView> {
    const placed = await customer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe(202);
    return waitFor(
      `order ${placed.body.orderId} to be confirmed`,
      async () => {
        const { body } = await customer<OrderView>('GET', `/orders/${placed.body.orderId}`);
        return body.status === 'CONFIRMED' ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, hint },
    );
  }

  async function subscribe(customer: ReturnType<typeof apiClient>, path: string, eventTypes: string[]): Promise<CreatedWebhookSubscription> {
    const { status, body } = await customer<CreatedWebhookSubscription>('POST', '/me/webhooks', { url: `${base}${path}`, eventTypes });
    expect(status).toBe(201);
    expect(body).toMatchObject({ status: 'PENDING_VERIFICATION', secret: expect.stringMatching(/^whsec_/) });
    cleanups.push(() => customer('DELETE', `/me/webhooks/${body.id}`));
    return body;
  }

  const subscriptionOf = (customer: ReturnType<typeof apiClient>, id: string, status: string) =>
    waitFor(
      `subscription ${id} to be ${status}`,
      async () => {
        const { body } = await customer<WebhookSubscriptionView>('GET', `/me/webhooks/${id}`);
        return body.status === status ? body : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, hint },
    );

  const deliveryOf = (customer: ReturnType<typeof apiClient>, id: string, match: (d: WebhookDeliveryView) => boolean) =>
    waitFor(
      `a matching delivery of ${id}`,
      async () => (await customer<Page<WebhookDeliveryView>>('GET', `/me/webhooks/${id}/deliveries?limit=100`)).body.items.find(match),
      { timeoutMs: 60_000, intervalMs: 100, hint },
    );

  const receivedAt = (path: string, match: (b: Body, r: Received) => boolean) =>
    waitFor('the receiver to get it', async () => received.find((r) => r.path === path && match(JSON.parse(r.body) as Body, r)), { timeoutMs: 60_000, intervalMs: 50, hint });

  let alice: ReturnType<typeof apiClient>;
  const aliceId = unique('hook-alice');
  let subscription: CreatedWebhookSubscription;
  let confirmed: WebhookDeliveryView;
  const path = `/ok/${unique('alice')}`;

  it('verifies the endpoint with a signed challenge, then delivers the order\'s events, signed per Standard Webhooks', async () => {
    alice = apiClient(system.baseUrl, tokenFor('customer', aliceId));
    subscription = await subscribe(alice, path, ['OrderPlaced', 'OrderConfirmed']);
    // An integrator (an admin's subscription) hears of every customer's orders.
    const integratorPath = `/ok/${unique('integrator')}`;
    const integrator = apiClient(system.baseUrl, tokenFor('admin', unique('integrator')));
    const integration = await subscribe(integrator, integratorPath, ['OrderConfirmed']);
    expect(integration.scope).toBe('all-orders');

    // The handshake: a signed webhook.verification whose challenge the endpoint echoed.
    const handshake = await receivedAt(path, (b) => b.type === 'webhook.verification');
    expect(verify(subscription.secret, handshake).data).toEqual({ subscriptionId: subscription.id, challenge: expect.any(String) });
    await subscriptionOf(integrator, integration.id, 'ACTIVE');
    const active = await subscriptionOf(alice, subscription.id, 'ACTIVE');
    expect(active.verifiedAt).not.toBeNull();
    expect(active).not.toHaveProperty('secret');

    const order = await placeOrder(alice, await addPet());
    const hook = await receivedAt(path, (b) => b.type === 'OrderConfirmed' && b.data.orderId === order.id);
    // Any Standard Webhooks library verifies it with the secret shown at creation; a tampered body fails.
    expect(verify(subscription.secret, hook)).toMatchObject({ type: 'OrderConfirmed', data: { orderId: order.id, userId: aliceId, totalCents: 3_100, currency: 'EUR' } });
    expect(() => new Webhook(subscription.secret).verify(hook.body.replace('3100', '1'), hook.headers as Record<string, string>)).toThrow();
    const placed = await receivedAt(path, (b) => b.type === 'OrderPlaced' && b.data.orderId === order.id);
    expect(placed.body).not.toContain('tok_'); // the payment token stays inside petstore
    const integrated = await receivedAt(integratorPath, (b) => b.type === 'OrderConfirmed' && b.data.orderId === order.id);
    expect(verify(integration.secret, integrated).data).toMatchObject({ orderId: order.id, userId: aliceId });
    expect(() => verify(subscription.secret, integrated)).toThrow(); // each subscription signs with its own secret

    confirmed = await deliveryOf(alice, subscription.id, (d) => d.eventType === 'OrderConfirmed' && d.status === 'DELIVERED');
    expect(confirmed).toMatchObject({ orderId: order.id, attempts: 1, lastStatusCode: 204, messageId: hook.headers['webhook-id'] });
    expect(confirmed.tries).toEqual([expect.objectContaining({ attempt: 1, statusCode: 204, error: null })]);
    const log = JSON.stringify((await alice('GET', `/me/webhooks/${subscription.id}/deliveries`)).body);
    expect(log).not.toContain(subscription.secret);
    expect(log).not.toContain('challenge');
  }, 120_000);

  it('replays a delivery with the same webhook-id', async () => {
    const before = received.filter((r) => r.headers['webhook-id'] === confirmed.messageId).length;
    const { status, body: replay } = await alice<WebhookDeliveryView>('POST', `/me/webhooks/deliveries/${confirmed.id}/replay`);
    expect(status).toBe(202);
    expect(replay).toMatchObject({ status: 'PENDING', replayOf: confirmed.id, messageId: confirmed.messageId });
    await waitFor('the replay to arrive', async () => received.filter((r) => r.headers['webhook-id'] === confirmed.messageId).length > before, { timeoutMs: 30_000, intervalMs: 50, hint });
    const done = await deliveryOf(alice, subscription.id, (d) => d.id === replay.id && d.status === 'DELIVERED');
    expect(done.tries).toHaveLength(1);
  }, 60_000);

  it('shows the same through the CLI: petstore webhooks list, deliveries, replay', async () => {
    const token = tokenFor('customer', aliceId);
    const cli = (...args: string[]) => runInProcess(undefined, ['--api-url', system.baseUrl, '--token', token, 'webhooks', ...args]);
    const listed = await cli('list', '--json');
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.out) as Page<WebhookSubscriptionView>).items.map((s) => [s.id, s.status])).toEqual([[subscription.id, 'ACTIVE']]);
    const log = await cli('deliveries', subscription.id);
    expect(log.code).toBe(0);
    expect(log.out).toMatch(new RegExp(`${confirmed.id}\\s+.*OrderConfirmed\\s+${confirmed.orderId}\\s+DELIVERED\\s+1\\s+204`));
    expect(log.out).toMatch(/webhook\.verification/);
    const replay = await cli('replay', confirmed.id, '--json');
    expect(replay.code).toBe(0);
    expect(JSON.parse(replay.out)).toMatchObject({ replayOf: confirmed.id, status: 'PENDING' });
    expect((await cli('delete', '00000000-0000-4000-8000-000000000000')).code).toBe(3);
  }, 60_000);

  it('lets no other customer see, list, replay or delete the subscription (404)', async () => {
    const bob = apiClient(system.baseUrl, tokenFor('customer', unique('hook-bob')));
    expect((await bob('GET', `/me/webhooks/${subscription.id}`)).status).toBe(404);
    expect((await bob('GET', `/me/webhooks/${subscription.id}/deliveries`)).status).toBe(404);
    expect((await bob('POST', `/me/webhooks/deliveries/${confirmed.id}/replay`)).status).toBe(404);
    expect((await bob('DELETE', `/me/webhooks/${subscription.id}`)).status).toBe(404);
    expect((await bob<Page<WebhookSubscriptionView>>('GET', '/me/webhooks')).body.items).toEqual([]);
    expect((await alice('GET', `/me/webhooks/${subscription.id}`)).status).toBe(200);
  }, 30_000);

  it('retries a failing endpoint, disables the subscription after its consecutive failures and tells the owner', async () => {
    const owner = unique('hook-failing');
    const customer = apiClient(system.baseUrl, tokenFor('customer', owner));
    const address = `${owner}@example.test`;
    expect((await customer('PUT', '/me/contact', { email: address, name: 'Fay' })).status).toBe(200);
    const failing = await subscribe(customer, `/failing/${owner}`, ['OrderConfirmed']);
    await subscriptionOf(customer, failing.id, 'ACTIVE');
    const order = await placeOrder(customer, await addPet());

    // One delivery, tried again with a growing wait after each 500, until the third failure in a row disables it.
    const disabled = await subscriptionOf(customer, failing.id, 'DISABLED');
    expect(disabled.consecutiveFailures).toBe(3);
    expect(disabled.disabledReason).toMatch(/3 failed deliveries in a row \(last: the webhook endpoint answered 500\)/);
    const { body: log } = await customer<Page<WebhookDeliveryView>>('GET', `/me/webhooks/${failing.id}/deliveries?limit=100`);
    const [delivery, ...others] = log.items.filter((d) => d.eventType !== 'webhook.verification');
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({ eventType: 'OrderConfirmed', orderId: order.id, status: 'FAILED', attempts: 3, lastStatusCode: 500 });
    expect(delivery!.tries.map((t) => [t.attempt, t.statusCode, t.error])).toEqual([1, 2, 3].map((n) => [n, 500, 'the webhook endpoint answered 500']));
    const starts = delivery!.tries.map((t) => Date.parse(t.startedAt));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(150); // NOTIFY_DELIVERY_BACKOFF 200ms, ±20 %
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(300); // doubled
    const tries = received.filter((r) => r.path === `/failing/${owner}` && r.headers['webhook-id'] === delivery!.messageId);
    expect(tries).toHaveLength(3);

    // The owner is told through the notification path, and the URL's path stays out of it.
    const notice = await waitFor(
      'the owner\'s notification',
      async () => (await customer<Page<NotificationView>>('GET', '/notifications')).body.items.find((n) => n.kind === 'webhook-disabled'),
      { timeoutMs: 60_000, intervalMs: 200, hint },
    );
    expect(notice.body).toContain(failing.id);
    expect(notice.body).not.toContain(owner);
    // And by email, when they have a contact profile.
    const mailpit = testConfig.notifications.mail.uiUrl;
    const mail = await waitFor(
      'the owner\'s email',
      async () => {
        const list = (await (await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`)).json()) as { messages: { ID: string; Subject: string }[] };
        const found = list.messages.find((m) => m.Subject === 'Your petstore webhook subscription was disabled');
        return found && ((await (await fetch(`${mailpit}/api/v1/message/${found.ID}`)).json()) as { Text: string });
      },
      { timeoutMs: 60_000, intervalMs: 250, hint },
    );
    expect(mail.Text).toContain(`Your webhook subscription ${failing.id}`);

    // Verifying again re-enables it once the endpoint echoes the new challenge.
    const { status } = await customer('POST', `/me/webhooks/${failing.id}/verify`);
    expect(status).toBe(202);
    expect((await subscriptionOf(customer, failing.id, 'ACTIVE')).consecutiveFailures).toBe(0);
    expect((await customer('DELETE', `/me/webhooks/${failing.id}`)).status).toBe(204);
    expect((await customer('GET', `/me/webhooks/${failing.id}`)).status).toBe(404);
  }, 180_000);
});
