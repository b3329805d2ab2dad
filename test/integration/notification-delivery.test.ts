import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import { Webhook } from 'standardwebhooks';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { createDb } from '../../db/knex';
import { waitFor } from '../../lib/wait';
import { newWebhookSecret } from '../../services/notifications/signing';
import { testConfig, unique } from '../helpers/config';
import { apiClient, freePort, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// Webhooks and email on the real stack: the system's consumers queue each delivery in their
// transaction and its delivery worker sends it after the commit, to a receiver on 127.0.0.1 that
// verifies the Standard Webhooks signature, and through SMTP to the stack's Mailpit, whose API we read.

const SECRET = newWebhookSecret();
const MAILPIT = testConfig.notifications.mail.uiUrl;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

interface NotificationRow {
  id: string;
  user_id: string;
  kind: string;
  channel: string;
  status: string;
  attempts: number;
  error: string | null;
}

interface MailpitSummary {
  ID: string;
  To: { Name: string; Address: string }[];
  Subject: string;
}
interface MailpitMessage extends MailpitSummary {
  Text: string;
  HTML: string;
  From: { Name: string; Address: string };
}

describe('notification delivery: signed webhooks and email, outside the consumers\' transactions', () => {
  let system: RunningSystem;
  let db: Knex;
  let receiver: Server;
  let receiverUrl: string;
  let deadUrl: string;
  const received: Received[] = [];
  let answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end();
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  let service: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body, at: Date.now() });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    deadUrl = `http://127.0.0.1:${await freePort()}`; // nobody listens: ECONNREFUSED on every try
    system = await startSystem({
      WEBHOOK_ALLOW_LOOPBACK: 'on',
      WEBHOOK_SECRET: SECRET,
      WEBHOOK_TIMEOUT: '2s',
      NOTIFY_DELIVERY_ATTEMPTS: '3',
      NOTIFY_DELIVERY_BACKOFF: '300ms',
      NOTIFY_DELIVERY_POLL: '100ms',
    });
    db = createDb(testConfig, { poolMax: 2 });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    support = apiClient(system.baseUrl, tokenFor('support'));
    service = apiClient(system.internalUrl, tokenFor('service'));
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
    await db?.destroy();
    await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  });

  const rows = (where: Partial<NotificationRow> & { event_id?: string; order_id?: string }) =>
    db.withSchema('notifications').table('notifications').where(where).select<NotificationRow[]>('id', 'user_id', 'kind', 'channel', 'status', 'attempts', 'error');
  const settledRow = (where: Parameters<typeof rows>[0], timeoutMs = 20_000) =>
    waitFor(
      `notification ${JSON.stringify(where)} to settle`,
      async () => {
        const [row] = await rows(where);
        return row && row.status !== 'PENDING' ? row : undefined;
      },
      { timeoutMs, intervalMs: 50, hint: () => system.output().slice(-3000) },
    );
  const setWebhook = (userId: string, url: string, secret: string | null = null) =>
    db.withSchema('notifications').table('user_channels').insert({ user_id: userId, webhook_url: url, webhook_secret: secret }).onConflict('user_id').merge();
  const requestNotification = async (userId: string, orderId: string, body: string) => {
    const { status, body: queued } = await service<{ eventId: string }>('POST', '/internal/notifications', { userId, kind: 'order-shipped', body, channel: 'webhook', orderId });
    expect(status).toBe(202);
    return queued.eventId;
  };
  const verified = (r: Received, secret = SECRET) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> };

  async function addPet(priceCents: number, stock = 5): Promise<Pet> {
    const { status, body } = await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents, stock });
    expect(status).toBe(201);
    return body;
  }
  const settled = (orderId: string) =>
    waitFor(
      `order ${orderId} to settle`,
      async () => {
        const { body } = await support<OrderView>('GET', `/orders/${orderId}`);
        return body.status === 'CONFIRMED' || body.status === 'CANCELLED' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, hint: () => system.output().slice(-3000) },
    );

  it('signs each webhook so the receiver can verify it, and a dead endpoint ends FAILED without holding up its partition', async () => {
    const alive = unique('hooked');
    const dead = unique('dead-hook');
    await setWebhook(alive, `${receiverUrl}/hooks/${alive}?token=s3cret-token`);
    await setWebhook(dead, `${deadUrl}/hooks/${dead}?token=s3cret-token`);

    // One order id keys both events: they share a partition, the dead endpoint's first.
    const key = randomUUID();
    const deadEvent = await requestNotification(dead, key, 'to the dead endpoint');
    const aliveEvent = await requestNotification(alive, key, 'to the live endpoint');
    const started = Date.now();

    const delivered = await settledRow({ event_id: aliveEvent });
    expect(delivered).toMatchObject({ status: 'DELIVERED', attempts: 1, error: null });
    const hook = received.find((r) => r.path === `/hooks/${alive}?token=s3cret-token`)!;
    expect(hook.at - started).toBeLessThan(5000);
    expect(hook.headers['webhook-id']).toBe(delivered.id);
    expect(verified(hook)).toMatchObject({ type: 'notification.order-shipped', data: { userId: alive, orderId: key, body: 'to the live endpoint', eventId: aliveEvent } });
    // A tampered body fails verification: the signature covers it.
    expect(() => new Webhook(SECRET).verify(hook.body.replace('live', 'evil'), hook.headers as Record<string, string>)).toThrow();

    // While the live one went through, the dead one was still being retried; it ends FAILED after the tries.
    const failed = await settledRow({ event_id: deadEvent });
    expect(failed).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(failed.error).toBe('could not reach the webhook endpoint (ECONNREFUSED)');
    // The URL's token reaches neither the log nor the recorded error.
    expect(system.output()).not.toContain('s3cret-token');
    expect(system.output()).toContain('notification delivery failed');
  }, 60_000);

  it('an order\'s confirmation reaches its customer\'s webhook, signed with the endpoint\'s own secret', async () => {
    const customer = unique('hook-customer');
    const ownSecret = newWebhookSecret();
    await setWebhook(customer, `${receiverUrl}/orders/${customer}`, ownSecret);
    const pet = await addPet(4_200);
    const placed = await apiClient(system.baseUrl, tokenFor('customer', customer))<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe(202);
    expect((await settled(placed.body.orderId)).status).toBe('CONFIRMED');
    const row = await settledRow({ order_id: placed.body.orderId, channel: 'webhook', kind: 'order-confirmed' });
    expect(row.status).toBe('DELIVERED');
    const hook = received.find((r) => r.path === `/orders/${customer}` && r.headers['webhook-id'] === row.id)!;
    expect(verified(hook, ownSecret)).toMatchObject({ data: { kind: 'order-confirmed', orderId: placed.body.orderId, details: { totalCents: 4_200, currency: 'EUR' } } });
    expect(() => verified(hook, SECRET)).toThrow(); // not the configured secret
  }, 60_000);

  it('refuses URLs that reach inside, or redirect, without retrying', async () => {
    const cases = [
      { user: unique('metadata'), url: 'http://169.254.169.254/latest/meta-data/', error: /metadata/ },
      { user: unique('private'), url: 'https://10.0.0.1/hook', error: /private/ },
      { user: unique('credentials'), url: `http://user:pw@127.0.0.1:${(receiver.address() as AddressInfo).port}/`, error: /credentials/ },
      { user: unique('redirect'), url: `${receiverUrl}/redirect`, error: /redirect/ },
    ];
    answer = (res) => res.writeHead(307, { location: 'http://169.254.169.254/' }).end();
    try {
      for (const c of cases) await setWebhook(c.user, c.url);
      const events = await Promise.all(cases.map((c) => requestNotification(c.user, randomUUID(), 'probe')));
      for (const [i, c] of cases.entries()) {
        const row = await settledRow({ event_id: events[i]! });
        expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
        expect(row.error).toMatch(c.error);
      }
    } finally {
      answer = (res) => res.writeHead(204).end();
    }
  }, 60_000);

  describe('email', () => {
    const customer = unique('mail-customer');
    const address = `${customer}@example.test`;
    let asCustomer: ReturnType<typeof apiClient>;

    beforeAll(() => {
      asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    });

    const mailTo = (subject: RegExp) =>
      waitFor(
        `an email to ${address} matching ${subject}`,
        async () => {
          const list = (await (await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`)).json()) as { messages: MailpitSummary[] };
          const found = list.messages.find((m) => subject.test(m.Subject));
          return found && ((await (await fetch(`${MAILPIT}/api/v1/message/${found.ID}`)).json()) as MailpitMessage);
        },
        { timeoutMs: 30_000, intervalMs: 200, hint: () => system.output().slice(-3000) },
      );

    it('GET/PUT /me/contact: the customer\'s own profile; bad input is a 400 problem and changes nothing', async () => {
      const missing = await asCustomer<{ status: number }>('GET', '/me/contact');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);

      const bad = await asCustomer<{ status: number; errors: { path: string }[] }>('PUT', '/me/contact', { email: 'not-an-address', name: 'Ada' });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(bad.body.errors.map((e) => e.path)).toContain('/body/email');
      const unknown = await asCustomer('PUT', '/me/contact', { email: address, phone: '123' });
      expect(unknown.status).toBe(400);
      expect((await asCustomer('GET', '/me/contact')).status).toBe(404);

      const put = await asCustomer('PUT', '/me/contact', { email: address, name: 'Ada Lovelace' });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ email: address, name: 'Ada Lovelace', channels: { email: true, webhook: true } });
      expect((await asCustomer('GET', '/me/contact')).body).toEqual(put.body);
      // Staff have no contact profile of their own here.
      expect((await support('GET', '/me/contact')).status).toBe(403);
    });

    it('emails the confirmation (items, total), the refund (amount, items), a declined payment (pay again, order link) and the cancellation (reason, money)', async () => {
      const pet = await addPet(12_500);
      const ok = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 2 }], paymentToken: 'tok_ok' });
      const declined = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_declined' });
      const confirmed = await settled(ok.body.orderId);
      expect(confirmed.status).toBe('CONFIRMED');
      expect((await settled(declined.body.orderId)).status).toBe('CANCELLED');

      const confirmation = await mailTo(new RegExp(`order ${ok.body.orderId.slice(0, 8)} is confirmed`));
      expect(confirmation.To).toEqual([{ Name: 'Ada Lovelace', Address: address }]);
      expect(confirmation.From.Address).toBe('orders@petstore.local');
      expect(confirmation.Text).toContain('Hello Ada Lovelace');
      expect(confirmation.Text).toContain(`2 x pet ${pet.id} at 125.00 EUR: 250.00 EUR`);
      expect(confirmation.Text).toContain('Total: 250.00 EUR');
      expect(confirmation.HTML).toContain('<strong>Total: 250.00 EUR</strong>');
      expect(confirmation.HTML).toContain(`pet ${pet.id}`);

      const refund = await support('POST', `/payments/${confirmed.paymentId}/refund`, { reason: 'the kitten is unwell' });
      expect(refund.status).toBe(200);
      const refunded = await mailTo(new RegExp(`We refunded 250.00 EUR for order ${ok.body.orderId.slice(0, 8)}`));
      expect(refunded.Text).toContain(`We refunded 250.00 EUR for your order ${ok.body.orderId}`);
      expect(refunded.Text).toContain(`2 x pet ${pet.id}`);

      // ORDER_PAGE_URL's default: the order on this system's API.
      const orderUrl = `${system.baseUrl}/orders/${declined.body.orderId}`;
      const declinedMail = await mailTo(new RegExp(`payment for order ${declined.body.orderId.slice(0, 8)} was declined`));
      expect(declinedMail.Text).toContain('pay again with another method');
      expect(declinedMail.Text).toContain(`Pay again: ${orderUrl}`);
      expect(declinedMail.HTML).toContain('>Pay again</a>');

      const cancelled = await mailTo(new RegExp(`order ${declined.body.orderId.slice(0, 8)} was cancelled`));
      expect(cancelled.Text).toContain('the payment was declined (PAYMENT_DECLINED)');
      expect(cancelled.Text).toContain('No money was taken');

      // Each message is recorded SENT, once.
      const mails = await db.withSchema('notifications').table('notifications').where({ user_id: customer, channel: 'email' }).select<NotificationRow[]>('kind', 'status', 'attempts');
      expect(mails.map((m) => m.kind).sort()).toEqual(['order-cancelled', 'order-confirmed', 'payment-declined', 'payment-refunded']);
      expect(mails.every((m) => m.status === 'SENT' && m.attempts === 1)).toBe(true);
    }, 90_000);

    it('sends no email when the customer switched email off', async () => {
      const put = await asCustomer('PUT', '/me/contact', { email: address, channels: { email: false } });
      expect(put.body).toMatchObject({ name: null, channels: { email: false, webhook: true } });
      const pet = await addPet(1_000);
      const ok = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok' });
      expect((await settled(ok.body.orderId)).status).toBe('CONFIRMED');
      await waitFor('the log notification', async () => (await rows({ order_id: ok.body.orderId, kind: 'order-confirmed' })).length > 0, { timeoutMs: 10_000 });
      expect((await rows({ order_id: ok.body.orderId })).map((r) => r.channel)).toEqual(['log']);
    }, 60_000);
  });
});
