import type { OrderView, PaymentView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { waitFor } from '../../lib/wait';
import type { Topic } from '../../kafka/topics';
import { testNames, unique } from '../helpers/config';
import { watchTopics } from '../helpers/events';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// The saga end to end on the real stack, through HTTP only: Postgres, Kafka and Temporal are real.
describe('order saga over HTTP', () => {
  let system: RunningSystem;
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  const customer = unique('customer');
  let asCustomer: ReturnType<typeof apiClient>;
  let watcher: Awaited<ReturnType<typeof watchTopics>>;

  beforeAll(async () => {
    system = await startSystem();
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    support = apiClient(system.baseUrl, tokenFor('support'));
    asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    watcher = await watchTopics([testNames.topics.orders, testNames.topics.payments]);
  }, 120_000);
  afterAll(async () => {
    await watcher?.stop();
    await system?.stop();
  });

  async function addPet(stock: number, priceCents = 12_345): Promise<Pet> {
    const { status, body } = await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'dog', priceCents, stock });
    expect(status).toBe(201);
    return body;
  }
  const stockOf = async (petId: string) => (await admin<Pet>('GET', `/pets/${petId}`)).body.stock;
  const place = (petId: string, quantity: number, paymentToken: string, as = asCustomer) =>
    as<{ orderId: string; status: string; links: { self: string; temporal?: string } }>('POST', '/orders', { items: [{ petId, quantity }], paymentToken });
  const orderOf = async (orderId: string) => (await support<OrderView & { links: { self: string; temporal?: string } }>('GET', `/orders/${orderId}`)).body;
  const settled = (orderId: string, until: (o: OrderView) => boolean = (o) => o.status === 'CONFIRMED' || o.status === 'CANCELLED') =>
    waitFor(`order ${orderId} to settle`, async () => {
      const order = await orderOf(orderId);
      return until(order) ? order : undefined;
    }, { timeoutMs: 30_000, intervalMs: 50, hint: () => system.output().slice(-3000) });

  it('confirms an order: stock decremented, payment captured, customer notified, events in order on the topics', async () => {
    const pet = await addPet(3);
    const placed = await place(pet.id, 2, 'tok_ok');
    expect(placed.status).toBe(202);
    expect(placed.body.links.self).toBe(`/orders/${placed.body.orderId}`);
    expect(placed.body.links.temporal).toBeUndefined(); // the saga's page in the Temporal UI is for staff
    expect((await orderOf(placed.body.orderId)).links.temporal).toMatch(new RegExp(`/namespaces/default/workflows/order-${placed.body.orderId}$`));

    const order = await settled(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CONFIRMED', cancelReason: null, totalCents: 24_690, currency: 'EUR', userId: customer });
    expect(order.items).toEqual([{ petId: pet.id, quantity: 2, unitPriceCents: 12_345 }]);
    expect(await stockOf(pet.id)).toBe(1);

    const payment = (await asCustomer<PaymentView>('GET', `/payments/${order.paymentId}`)).body;
    expect(payment).toMatchObject({ orderId: order.id, status: 'SUCCEEDED', amountCents: 24_690 });

    const notified = await waitFor('the confirmation notification', async () => {
      const { body } = await asCustomer<{ items: { kind: string; orderId: string }[] }>('GET', '/notifications');
      return body.items.find((n) => n.kind === 'order-confirmed' && n.orderId === order.id);
    }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(notified).toBeDefined();

    const events = await waitFor('the four saga events', async () => {
      const seen = watcher.forOrder(order.id);
      return seen.some((s) => s.event.type === 'OrderConfirmed') ? seen : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    const byTime = [...events].sort((a, b) => a.event.time.localeCompare(b.event.time));
    expect(byTime.map((s) => s.event.type)).toEqual(['OrderPlaced', 'InventoryReserved', 'PaymentSucceeded', 'OrderConfirmed']);
    expect(byTime.map((s) => s.topic)).toEqual(['orders', 'orders', 'payments', 'orders'].map((t) => testNames.topic(t as Topic)));
    for (const s of events) {
      expect(s.headers).toMatchObject({
        ce_specversion: '1.0',
        ce_id: s.event.id,
        ce_type: `com.petstore.${s.topic.split('.').pop()}.${s.event.type}.v1`,
        ce_subject: order.id,
        ce_correlationid: order.id,
        ce_dataschema: `${system.baseUrl}/schemas/events/${s.event.type}/v1.json`, // the system's own API serves them
        'content-type': 'application/json',
      });
      expect(JSON.parse(s.value)).toEqual(s.event.data);
    }
  }, 60_000);

  it('cancels for OUT_OF_STOCK and leaves the stock as it was', async () => {
    const pet = await addPet(1);
    const placed = await place(pet.id, 2, 'tok_ok');
    const order = await settled(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'OUT_OF_STOCK' });
    expect(await stockOf(pet.id)).toBe(1);
    // Nothing was reserved or charged, so nothing is to be undone.
    expect((await settled(order.id, (o) => o.compensation === 'done')).compensation).toBe('done');
  }, 60_000);

  it('cancels a declined payment and restocks what was reserved', async () => {
    const pet = await addPet(2);
    const placed = await place(pet.id, 1, 'tok_declined');
    const order = await settled(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED' });
    await waitFor('the restock', async () => (await stockOf(pet.id)) === 2, { timeoutMs: 10_000, intervalMs: 50 });
    // The saga waited for Inventory's InventoryReleased before calling its compensation done.
    expect((await settled(order.id, (o) => o.compensation === 'done')).compensation).toBe('done');
  }, 60_000);

  it('a customer cancel while payment is pending: restock and compensation done, the saga ends', async () => {
    const pet = await addPet(2);
    const placed = await place(pet.id, 1, 'tok_pending');
    await settled(placed.body.orderId, (o) => o.status === 'AWAITING_PAYMENT');
    expect(await stockOf(pet.id)).toBe(1);
    const cancelled = await asCustomer<OrderView>('POST', `/orders/${placed.body.orderId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_CUSTOMER' });
    expect(['pending', 'done']).toContain(cancelled.body.compensation);
    const done = await settled(placed.body.orderId, (o) => o.compensation === 'done');
    expect(done.status).toBe('CANCELLED');
    expect(await stockOf(pet.id)).toBe(2);
  }, 60_000);

  it('waits in AWAITING_PAYMENT for tok_pending, then confirms once the customer pays with POST /payments', async () => {
    const pet = await addPet(2);
    const placed = await place(pet.id, 1, 'tok_pending');
    const waiting = await settled(placed.body.orderId, (o) => o.status === 'AWAITING_PAYMENT');
    expect(waiting.totalCents).toBe(12_345);
    const paid = await waitFor('the payment to open', async () => {
      const res = await asCustomer<PaymentView>('POST', '/payments', { orderId: waiting.id, paymentToken: 'tok_ok' }, { 'idempotency-key': unique('pay') });
      return res.status === 200 ? res : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    expect(paid.body).toMatchObject({ orderId: waiting.id, status: 'SUCCEEDED' });
    expect((await settled(waiting.id)).status).toBe('CONFIRMED');
    expect(await stockOf(pet.id)).toBe(1);
  }, 60_000);

  it('caps the units one customer holds in open orders at 10: over it is a 422, ending an order frees its units', async () => {
    const pet = await addPet(100);
    const holder = apiClient(system.baseUrl, tokenFor('customer', unique('holder')));
    const first = await place(pet.id, 6, 'tok_pending', holder);
    expect(first.status).toBe(202);
    await settled(first.body.orderId, (o) => o.status === 'AWAITING_PAYMENT');
    const over = await place(pet.id, 5, 'tok_ok', holder);
    expect(over.status).toBe(422);
    expect((over.body as unknown as { detail: string }).detail).toMatch(/at most 10 units in open orders; you hold 6 and this order asks for 5/);
    const upTo = await place(pet.id, 4, 'tok_pending', holder);
    expect(upTo.status).toBe(202);
    expect((await place(pet.id, 1, 'tok_ok', holder)).status).toBe(422);

    expect((await holder('POST', `/orders/${first.body.orderId}/cancel`)).status).toBe(200);
    const after = await place(pet.id, 5, 'tok_ok', holder);
    expect(after.status).toBe(202);
    expect((await settled(after.body.orderId)).status).toBe('CONFIRMED');
    // Every unit held or sold is accounted for: 100 - 4 (pending) - 5 (confirmed).
    await waitFor('the cancelled order to be restocked', async () => (await stockOf(pet.id)) === 91, { timeoutMs: 10_000, intervalMs: 50 });
  }, 60_000);

  it('enforces the cap in Inventory too: concurrent orders that each pass the API check cannot together exceed it', async () => {
    const pet = await addPet(100);
    const holder = apiClient(system.baseUrl, tokenFor('customer', unique('racer')));
    const placed = await Promise.all(Array.from({ length: 6 }, () => place(pet.id, 3, 'tok_pending', holder)));
    const accepted = placed.filter((p) => p.status === 202);
    expect(placed.filter((p) => p.status !== 202).every((p) => p.status === 422)).toBe(true);
    const orders = await Promise.all(accepted.map((p) => settled(p.body.orderId, (o) => o.status === 'AWAITING_PAYMENT' || o.status === 'CANCELLED')));
    const holding = orders.filter((o) => o.status === 'AWAITING_PAYMENT');
    expect(holding.length * 3).toBeLessThanOrEqual(10);
    expect(holding.length).toBe(3);
    expect(orders.filter((o) => o.status === 'CANCELLED').every((o) => o.cancelReason === 'HOLD_LIMIT')).toBe(true);
    expect(await stockOf(pet.id)).toBe(100 - 3 * holding.length);
    for (const order of holding) expect((await holder('POST', `/orders/${order.id}/cancel`)).status).toBe(200);
  }, 60_000);

  it('sells exactly the stock to 50 concurrent orders: 5 confirmed, stock 0, never negative', async () => {
    const pet = await addPet(5);
    const buyers = Array.from({ length: 50 }, (_, i) => apiClient(system.baseUrl, tokenFor('customer', `${customer}-${i}`)));
    const placed = await Promise.all(buyers.map((buyer) => place(pet.id, 1, 'tok_ok', buyer)));
    expect(placed.map((p) => p.status)).toEqual(Array(50).fill(202));
    const orders = await Promise.all(placed.map((p) => settled(p.body.orderId)));
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(5);
    expect(orders.filter((o) => o.status === 'CANCELLED').every((o) => o.cancelReason === 'OUT_OF_STOCK')).toBe(true);
    expect(await stockOf(pet.id)).toBe(0);
  }, 120_000);
});
