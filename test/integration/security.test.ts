import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { waitFor } from '../../lib/wait';
import { unique } from '../helpers/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// The security promises on the real stack, through HTTP only: the unit-level matrix lives in
// test/api/auth.test.ts; this checks that the running system keeps them with real data.
describe('security over HTTP on the real stack', () => {
  let system: RunningSystem;
  let admin: ReturnType<typeof apiClient>;
  const alice = unique('alice');
  const bob = unique('bob');
  let asAlice: ReturnType<typeof apiClient>;
  let asBob: ReturnType<typeof apiClient>;
  let anonymous: ReturnType<typeof apiClient>;
  let aliceOrder: string;
  let pet: Pet;

  beforeAll(async () => {
    system = await startSystem();
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    asAlice = apiClient(system.baseUrl, tokenFor('customer', alice));
    asBob = apiClient(system.baseUrl, tokenFor('customer', bob));
    anonymous = apiClient(system.baseUrl);
    pet = (await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 5000, stock: 5 })).body;
    const placed = await asAlice<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_pending' });
    expect(placed.status).toBe(202);
    aliceOrder = placed.body.orderId;
    await waitFor('alice\'s order to await payment', async () => (await asAlice<OrderView>('GET', `/orders/${aliceOrder}`)).body.status === 'AWAITING_PAYMENT', {
      timeoutMs: 30_000,
      intervalMs: 50,
      hint: () => system.output().slice(-3000),
    });
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('bob never reads or acts on alice\'s order, payment or notifications: 404 with no data, and nothing changes', async () => {
    for (const [method, path, body] of [
      ['GET', `/orders/${aliceOrder}`],
      ['POST', `/orders/${aliceOrder}/cancel`],
      ['POST', '/payments', { orderId: aliceOrder, paymentToken: 'tok_ok' }],
    ] as const) {
      const answer = await asBob<Record<string, unknown>>(method, path, body);
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 404 });
      expect(JSON.stringify(answer.body)).not.toContain(alice);
    }
    for (const path of [`/payments?orderId=${aliceOrder}`, `/notifications?orderId=${aliceOrder}`]) {
      const answer = await asBob<{ items?: unknown[] }>('GET', path);
      expect(answer.status === 404 || (answer.status === 200 && answer.body.items?.length === 0)).toBe(true);
      expect(JSON.stringify(answer.body)).not.toContain(alice);
    }
    expect((await asBob('GET', `/orders/user/${alice}`)).status).toBe(404); // as if alice did not exist
    expect((await asBob<{ items: OrderView[] }>('GET', `/orders/user/${bob}`)).body.items.map((o) => o.id)).not.toContain(aliceOrder);
    const still = (await asAlice<OrderView>('GET', `/orders/${aliceOrder}`)).body;
    expect(still.status).toBe('AWAITING_PAYMENT');
  });

  it('pet writes are for admins: anonymous 401, customer 403, and the pet is untouched', async () => {
    const change = { name: 'hijacked', species: 'cat', priceCents: 1, stock: 999 };
    expect((await anonymous('POST', '/pets', change)).status).toBe(401);
    expect((await asBob('POST', '/pets', change)).status).toBe(403);
    expect((await asBob('POST', `/pets/${pet.id}/restock`, { quantity: 5 })).status).toBe(403);
    expect((await asBob('DELETE', `/pets/${pet.id}`)).status).toBe(403);
    const now = (await anonymous<Pet>('GET', `/pets/${pet.id}`)).body;
    expect(now).toMatchObject({ name: pet.name, priceCents: 5000, stock: 4 });
  });

  it('forged tokens are 401: alg none, the wrong secret, a tampered payload', async () => {
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const [header, payload, signature] = tokenFor('customer', bob).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: alice })}.`,
      `${header}.${b64({ ...claims, sub: alice })}.${signature}`,
      `${header}.${b64({ ...claims, role: 'admin' })}.${signature}`,
      `${header}.${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}`,
    ];
    for (const token of forged) {
      const answer = await apiClient(system.baseUrl, token)<Record<string, unknown>>('GET', `/orders/${aliceOrder}`);
      expect(answer.status).toBe(401);
      expect(JSON.stringify(answer.body)).not.toContain(alice);
    }
  });

  it('mass assignment: internal fields in a body are a 400 and nothing is written', async () => {
    const before = (await asBob<{ items: OrderView[] }>('GET', `/orders/user/${bob}`)).body.items.length;
    for (const extra of [{ status: 'CONFIRMED' }, { totalCents: 1 }, { total: 1 }, { role: 'admin' }]) {
      const answer = await asBob('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok', ...extra });
      expect({ extra, status: answer.status }).toEqual({ extra, status: 400 });
    }
    // userId is how support places an order for a customer; a customer naming anyone is refused outright.
    expect((await asBob('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok', userId: alice })).status).toBe(403);
    expect((await asBob('POST', '/orders', { items: [{ petId: pet.id, quantity: 1, priceCents: 1 }], paymentToken: 'tok_ok' })).status).toBe(400);
    expect((await admin('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 100, stock: 1, id: '00000000-0000-4000-8000-000000000001', version: 9 })).status).toBe(400);
    expect((await asBob<{ items: OrderView[] }>('GET', `/orders/user/${bob}`)).body.items).toHaveLength(before);
  });

  it('limits: a page is capped, a body over the limit is a 413', async () => {
    expect((await anonymous('GET', '/pets?limit=101')).status).toBe(400);
    expect((await anonymous<{ items: unknown[] }>('GET', '/pets?limit=100')).status).toBe(200);
    const huge = await asBob('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'x'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
  });
});
