import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditEntry, NotificationView, OrderView, Page, PaymentView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { waitFor } from '../../lib/wait';
import { testNames, unique } from '../helpers/config';
import { watchTopics } from '../helpers/events';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// The support side of the API (what the CLI calls) on the real stack, through HTTP only.
describe('support API over HTTP', () => {
  let system: RunningSystem;
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  const agent = unique('agent');
  const customer = unique('customer');
  let asCustomer: ReturnType<typeof apiClient>;
  let asOther: ReturnType<typeof apiClient>;
  let watcher: Awaited<ReturnType<typeof watchTopics>>;

  beforeAll(async () => {
    system = await startSystem();
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    // A support token naming its agent: the audit's "who" is the subject when there is one.
    support = apiClient(system.baseUrl, tokenFor('support', agent));
    asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    asOther = apiClient(system.baseUrl, tokenFor('customer', unique('other')));
    watcher = await watchTopics([testNames.topics.payments]);
  }, 120_000);
  afterAll(async () => {
    await watcher?.stop();
    await system?.stop();
  });

  async function addPet(stock: number, priceCents = 10_000): Promise<Pet> {
    const { status, body } = await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents, stock });
    expect(status).toBe(201);
    return body;
  }
  const stockOf = async (petId: string) => (await admin<Pet>('GET', `/pets/${petId}`)).body.stock;
  const place = async (petId: string, quantity: number, paymentToken: string) => {
    const placed = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId, quantity }], paymentToken });
    expect(placed.status).toBe(202);
    return placed.body.orderId;
  };
  const orderOf = async (orderId: string) => (await support<OrderView>('GET', `/orders/${orderId}`)).body;
  const reaches = (orderId: string, until: (o: OrderView) => boolean) =>
    waitFor(`order ${orderId} to move on`, async () => {
      const order = await orderOf(orderId);
      return until(order) ? order : undefined;
    }, { timeoutMs: 30_000, intervalMs: 50, hint: () => system.output().slice(-3000) });
  const auditOf = async (orderId: string) => {
    const { status, body } = await support<{ items: AuditEntry[] }>('GET', `/orders/${orderId}/audit`);
    expect(status).toBe(200);
    return body.items;
  };

  it('restocks atomically: 20 parallel restocks all count, each bumping the version once', async () => {
    const pet = await addPet(3);
    const quantities = Array.from({ length: 20 }, (_, i) => i + 1);
    const answers = await Promise.all(quantities.map((quantity) => admin<Pet>('POST', `/pets/${pet.id}/restock`, { quantity })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    // Every answer saw a different version: no two restocks read the same row.
    expect(answers.map((a) => a.body.version).sort((a, b) => a - b)).toEqual(quantities.map((n) => pet.version + n));
    for (const answer of answers) expect(answer.headers.get('etag')).toBe(`"${answer.body.version}"`);
    const after = (await admin<Pet>('GET', `/pets/${pet.id}`)).body;
    expect(after).toMatchObject({ stock: 3 + 210, version: pet.version + 20, status: 'available' });

    expect((await admin('POST', `/pets/${pet.id}/restock`, { quantity: 0 })).status).toBe(400);
    expect((await admin('POST', '/pets/00000000-0000-4000-8000-ffffffffffff/restock', { quantity: 1 })).status).toBe(404);
    expect((await support('POST', `/pets/${pet.id}/restock`, { quantity: 1 })).status).toBe(403);
    expect(await stockOf(pet.id)).toBe(213);
  }, 60_000);

  it('removes a pet only once no open order holds it: 409 while reserved, 204 after, then 404', async () => {
    const pet = await addPet(2);
    const orderId = await place(pet.id, 1, 'tok_pending');
    await reaches(orderId, (o) => o.status === 'AWAITING_PAYMENT');
    const refused = await admin<{ detail: string }>('DELETE', `/pets/${pet.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.detail).toMatch(/reserved by open orders/);

    expect((await support('POST', `/orders/${orderId}/cancel`, { reason: 'removing the pet from sale' })).status).toBe(200);
    await waitFor('the reservation to be released', async () => (await stockOf(pet.id)) === 2, { timeoutMs: 10_000, intervalMs: 50 });
    expect((await admin('DELETE', `/pets/${pet.id}`)).status).toBe(204);
    expect((await admin('GET', `/pets/${pet.id}`)).status).toBe(404);
    expect((await admin('DELETE', `/pets/${pet.id}`)).status).toBe(404);
  }, 60_000);

  it('finds a pending order with GET /orders, force-cancels it with a reason, restocks, and audits who, what and why', async () => {
    const pet = await addPet(2);
    const orderId = await place(pet.id, 1, 'tok_pending');
    const waiting = await reaches(orderId, (o) => o.status === 'AWAITING_PAYMENT');
    expect(await stockOf(pet.id)).toBe(1);

    const since = new Date(Date.parse(waiting.createdAt) - 1000).toISOString();
    const found = await support<Page<OrderView & { links: { self: string; temporal: string } }>>('GET', `/orders?status=AWAITING_PAYMENT&since=${since}&userId=${customer}`);
    expect(found.status).toBe(200);
    expect(found.body.items.map((o) => o.id)).toContain(orderId);
    expect(found.body.items.every((o) => o.status === 'AWAITING_PAYMENT' && o.userId === customer)).toBe(true);
    expect(found.body.items.find((o) => o.id === orderId)?.links.temporal).toMatch(new RegExp(`/workflows/order-${orderId}$`));
    expect((await support<Page<OrderView>>('GET', `/orders?status=CONFIRMED&userId=${customer}`)).body.items.map((o) => o.id)).not.toContain(orderId);
    expect((await asCustomer('GET', '/orders?status=AWAITING_PAYMENT')).status).toBe(403);

    const reason = 'customer called: ordered the wrong cat';
    const cancelled = await support<OrderView>('POST', `/orders/${orderId}/cancel`, { reason });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' });
    await waitFor('the restock', async () => (await stockOf(pet.id)) === 2, { timeoutMs: 10_000, intervalMs: 50 });

    const audit = await auditOf(orderId);
    expect(audit).toEqual([
      {
        id: expect.any(String),
        at: expect.any(String),
        actor: agent,
        action: 'force-cancel',
        orderId,
        paymentId: null,
        reason,
        details: { previousStatus: 'AWAITING_PAYMENT', via: 'saga' },
      },
    ]);
    expect(Date.parse(audit[0]!.at)).toBeGreaterThanOrEqual(Date.parse(waiting.createdAt));
  }, 60_000);

  it('refunds a confirmed order\'s payment once (a second refund is a 409) with one PaymentRefunded, audited', async () => {
    const pet = await addPet(2, 25_000);
    const orderId = await place(pet.id, 1, 'tok_ok');
    const order = await reaches(orderId, (o) => o.status === 'CONFIRMED');

    const payments = await asCustomer<Page<PaymentView>>('GET', `/payments?orderId=${orderId}`);
    expect(payments.status).toBe(200);
    expect(payments.body).toEqual({ items: [expect.objectContaining({ id: order.paymentId, orderId, userId: customer, status: 'SUCCEEDED', amountCents: 25_000 })], nextCursor: null });
    expect((await support<Page<PaymentView>>('GET', `/payments?orderId=${orderId}`)).body.items).toHaveLength(1);
    const notYours = await asOther<{ status: number; detail: string }>('GET', `/payments?orderId=${orderId}`);
    expect(notYours.status).toBe(404);
    expect(JSON.stringify(notYours.body)).not.toContain(order.paymentId!);

    const reason = 'goodwill: the cat was grumpy';
    const refunded = await support<PaymentView>('POST', `/payments/${order.paymentId}/refund`, { reason });
    expect(refunded.status).toBe(200);
    expect(refunded.body).toMatchObject({ id: order.paymentId, orderId, status: 'REFUNDED', amountCents: 25_000 });
    const again = await support<{ status: number }>('POST', `/payments/${order.paymentId}/refund`, { reason });
    expect(again.status).toBe(409);
    expect((await asCustomer('POST', `/payments/${order.paymentId}/refund`, { reason })).status).toBe(403);

    await waitFor('PaymentRefunded on the payments topic', async () => watcher.forOrder(orderId).some((s) => s.event.type === 'PaymentRefunded'), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    await sleep(1500); // room for a second one to show up, were there one
    const refundEvents = watcher.forOrder(orderId).filter((s) => s.event.type === 'PaymentRefunded');
    expect(refundEvents).toHaveLength(1);
    expect(refundEvents[0]!.event.data).toMatchObject({ paymentId: order.paymentId, userId: customer, amountCents: 25_000, currency: 'EUR', restock: false, remainingCents: 0 });

    expect((await asCustomer<PaymentView>('GET', `/payments/${order.paymentId}`)).body.status).toBe('REFUNDED');
    expect(await auditOf(orderId)).toEqual([
      expect.objectContaining({ actor: agent, action: 'refund', orderId, paymentId: order.paymentId, reason, details: expect.objectContaining({ amountCents: 25_000, currency: 'EUR', remainingCents: 0 }) }),
    ]);
  }, 60_000);

  it('renotifies: the customer gets a fresh order-status notification, and the audit says so', async () => {
    const pet = await addPet(1);
    const orderId = await place(pet.id, 1, 'tok_ok');
    await reaches(orderId, (o) => o.status === 'CONFIRMED');
    const notes = async () => (await asCustomer<Page<NotificationView>>('GET', `/notifications?orderId=${orderId}&limit=100`)).body.items;
    await waitFor('the confirmation notification', async () => (await notes()).some((n) => n.kind === 'order-confirmed'), { timeoutMs: 10_000, intervalMs: 50 });
    const before = await notes();

    const queued = await support<{ eventId: string }>('POST', `/orders/${orderId}/renotify`, { reason: 'customer lost the email' });
    expect(queued.status).toBe(202);
    expect(queued.body.eventId).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await waitFor('the renotification', async () => (await notes()).find((n) => n.kind === 'order-status'), { timeoutMs: 10_000, intervalMs: 50 });
    expect(fresh).toMatchObject({ userId: customer, orderId, status: 'DELIVERED' });
    expect(fresh.body).toContain('confirmed');
    expect((await notes()).length).toBe(before.length + 1);

    // Support finds it by order alone, without naming the customer.
    const bySupport = await support<Page<NotificationView>>('GET', `/notifications?orderId=${orderId}`);
    expect(bySupport.body.items.map((n) => n.id)).toContain(fresh.id);

    expect(await auditOf(orderId)).toEqual([
      expect.objectContaining({ actor: agent, action: 'renotify', orderId, reason: 'customer lost the email', details: { eventId: queued.body.eventId, kind: 'order-status', status: 'CONFIRMED' } }),
    ]);
    expect((await support('POST', '/orders/00000000-0000-4000-8000-ffffffffffff/renotify')).status).toBe(404);
  }, 60_000);

  it('a support payment is audited as retry-payment; a force-cancel of the confirmed order is audited with it and refunded', async () => {
    const pet = await addPet(2);
    const orderId = await place(pet.id, 1, 'tok_pending');
    await reaches(orderId, (o) => o.status === 'AWAITING_PAYMENT');
    const paid = await waitFor('the payment to open', async () => {
      const res = await support<PaymentView>('POST', '/payments', { orderId, paymentToken: 'tok_ok' }, { 'idempotency-key': unique('pay') });
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(paid.body).toMatchObject({ orderId, status: 'SUCCEEDED' });
    await reaches(orderId, (o) => o.status === 'CONFIRMED');

    const cancelled = await admin<OrderView>('POST', `/orders/${orderId}/cancel`, { reason: 'duplicate order' });
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' });
    await waitFor('the refund by the Payment service', async () => (await support<PaymentView>('GET', `/payments/${paid.body.id}`)).body.status === 'REFUNDED', {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    await waitFor('the restock', async () => (await stockOf(pet.id)) === 2, { timeoutMs: 10_000, intervalMs: 50 });

    const audit = await auditOf(orderId);
    expect(audit.map((e) => [e.actor, e.action])).toEqual([
      [agent, 'retry-payment'],
      ['admin', 'force-cancel'],
    ]);
    expect(audit[0]).toMatchObject({ paymentId: paid.body.id, reason: null, details: { orderId, tokenKind: 'tok_ok', status: 'SUCCEEDED' } });
    expect(audit[1]).toMatchObject({ reason: 'duplicate order', details: { previousStatus: 'CONFIRMED', via: 'compensation' } });
    expect((await asCustomer('GET', `/orders/${orderId}/audit`)).status).toBe(403);
  }, 60_000);
});
