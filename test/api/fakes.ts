// In-memory ports for the API tests: just enough behaviour to exercise the HTTP contract (ownership,
// idempotency, versions, conflicts), and a log of every call so a test can prove a port was not reached.
import type { CancelActor, OrderStatus, RequestedItem } from '../../domain/orders';
import { petStatus, type Pet } from '../../domain/pets';
import { ConflictError, NotFoundError, PreconditionFailedError, UnprocessableError } from '../../lib/errors';
import { deriveHistory } from '../../domain/order-history';
import type { ApiPorts, AuditEntry, AuditInput, ContactView, NotificationView, OrderView, Page, PageQuery, PaymentView, PetInput, RefundView, WebhookDeliveryView, WebhookSubscriptionView } from '../../api/ports';

/** One call a port received. */
export interface PortCall {
  port: keyof ApiPorts;
  method: string;
  args: unknown[];
}

/** The two customers the tests play, and what each owns in the seed data. */
export const USERS = { alice: 'user-alice', bob: 'user-bob' } as const;

/** Seeded ids. */
export const SEED = {
  // Pet ids are UUIDs (an order line names its pet by one).
  pet: '00000000-0000-4000-8000-00000000a001',
  reservedPet: 'pet-reserved',
  aliceOrder: 'order-a1',
  // Alice's webhook subscription and one finished delivery of it.
  aliceWebhook: '00000000-0000-4000-8000-0000000000a1',
  aliceDelivery: '00000000-0000-4000-8000-0000000000d1',
  bobOrder: 'order-b1',
  alicePayment: 'pay-a1',
  bobPayment: 'pay-b1',
} as const;

const T0 = '2025-01-01T00:00:00.000Z';

function page<T>(items: T[], { limit, cursor }: PageQuery): Page<T> {
  const start = cursor ? Number(cursor) : 0;
  const slice = items.slice(start, start + limit);
  return { items: slice, nextCursor: start + limit < items.length ? String(start + limit) : null };
}

/** Fake ports with seed data: alice and bob each have one order, one payment and one notification; the audit starts empty. */
export function fakePorts() {
  const calls: PortCall[] = [];
  const record = (port: keyof ApiPorts, method: string, args: unknown[]) => calls.push({ port, method, args });

  const pets = new Map<string, Pet>();
  const reserved = new Set<string>([SEED.reservedPet]);
  const newPet = (id: string, input: PetInput, version = 1): Pet => ({
    id,
    name: input.name,
    species: input.species,
    breed: input.breed ?? null,
    age: input.age ?? null,
    description: input.description ?? null,
    tags: input.tags ?? [],
    priceCents: input.priceCents,
    currency: input.currency ?? 'EUR',
    stock: input.stock,
    status: petStatus(input.stock),
    version,
    createdAt: T0,
    updatedAt: T0,
  });
  pets.set(SEED.pet, newPet(SEED.pet, { name: 'Rex', species: 'dog', priceCents: 12_000, stock: 3 }, 3));
  pets.set(SEED.reservedPet, newPet(SEED.reservedPet, { name: 'Tom', species: 'cat', priceCents: 9_000, stock: 1 }));

  const orders = new Map<string, OrderView>();
  const order = (id: string, userId: string, paymentId: string): OrderView => ({
    id,
    userId,
    status: 'AWAITING_PAYMENT',
    cancelReason: null,
    items: [{ petId: SEED.pet, quantity: 1, unitPriceCents: 12_000 }],
    totalCents: 12_000,
    currency: 'EUR',
    paymentId,
    compensation: null,
    createdAt: T0,
    updatedAt: T0,
  });
  orders.set(SEED.aliceOrder, order(SEED.aliceOrder, USERS.alice, SEED.alicePayment));
  orders.set(SEED.bobOrder, order(SEED.bobOrder, USERS.bob, SEED.bobPayment));
  const placedByKey = new Map<string, { body: string; result: { orderId: string; status: OrderStatus } }>();

  const payments = new Map<string, PaymentView>();
  const refundsOf = new Map<string, RefundView[]>();
  const refundsByKey = new Map<string, { body: string; refund: RefundView }>();
  const payment = (id: string, orderId: string, userId: string): PaymentView => ({
    id,
    orderId,
    userId,
    amountCents: 12_000,
    refundedCents: 0,
    currency: 'EUR',
    status: 'PENDING',
    failureReason: null,
    createdAt: T0,
  });
  payments.set(SEED.alicePayment, payment(SEED.alicePayment, SEED.aliceOrder, USERS.alice));
  payments.set(SEED.bobPayment, payment(SEED.bobPayment, SEED.bobOrder, USERS.bob));
  const paidByKey = new Map<string, { body: string; payment: PaymentView }>();

  const notifications: NotificationView[] = [USERS.alice, USERS.bob].map((userId, i) => ({
    id: `note-${i + 1}`,
    userId,
    orderId: userId === USERS.alice ? SEED.aliceOrder : SEED.bobOrder,
    kind: 'order-confirmed',
    channel: 'log',
    body: `secret note for ${userId}`,
    status: 'DELIVERED',
    deliveredAt: T0,
    createdAt: T0,
  }));

  const contacts = new Map<string, ContactView>([[USERS.alice, { email: 'alice@example.test', name: 'Alice', channels: { email: true, webhook: true }, updatedAt: T0 }]]);

  const subscriptions = new Map<string, WebhookSubscriptionView & { ownerId: string }>([
    [
      SEED.aliceWebhook,
      { ownerId: USERS.alice, id: SEED.aliceWebhook, url: 'https://hooks.example.test/alice', scope: 'own-orders', eventTypes: ['OrderConfirmed'], description: null, status: 'ACTIVE', consecutiveFailures: 0, disabledReason: null, verifiedAt: T0, disabledAt: null, createdAt: T0, updatedAt: T0 },
    ],
  ]);
  const deliveries: WebhookDeliveryView[] = [
    { id: SEED.aliceDelivery, subscriptionId: SEED.aliceWebhook, messageId: SEED.aliceDelivery, eventType: 'OrderConfirmed', eventId: null, orderId: SEED.aliceOrder, status: 'DELIVERED', attempts: 1, nextAttemptAt: null, lastStatusCode: 204, lastError: null, replayOf: null, createdAt: T0, deliveredAt: T0, tries: [] },
  ];
  const ownSubscription = (ownerId: string, id: string) => {
    const found = subscriptions.get(id);
    return found && found.ownerId === ownerId ? found : undefined;
  };
  const viewOf = ({ ownerId: _owner, ...view }: WebhookSubscriptionView & { ownerId: string }): WebhookSubscriptionView => view;

  const readiness = { postgres: true, kafka: true, temporal: true };
  let sequence = 0;

  const audit: AuditEntry[] = [];
  const audited = (input: AuditInput): AuditEntry => {
    const entry: AuditEntry = { id: `audit-${++sequence}`, at: T0, paymentId: null, reason: null, details: {}, ...input };
    audit.push(entry);
    return entry;
  };

  const ports: ApiPorts = {
    pets: {
      async list(query) {
        record('pets', 'list', [query]);
        const all = [...pets.values()].filter((p) => (!query.species || p.species === query.species) && (!query.status || p.status === query.status));
        return page(all, query);
      },
      async get(id) {
        record('pets', 'get', [id]);
        return pets.get(id);
      },
      async create(input) {
        record('pets', 'create', [input]);
        const pet = newPet(`pet-new-${++sequence}`, input);
        pets.set(pet.id, pet);
        return pet;
      },
      async update(id, input, expectedVersion) {
        record('pets', 'update', [id, input, expectedVersion]);
        const current = pets.get(id);
        if (!current) throw new NotFoundError(`pet ${id} not found`);
        if (expectedVersion !== undefined && expectedVersion !== current.version) {
          throw new PreconditionFailedError(`pet ${id} is at version ${current.version}, not ${expectedVersion}`);
        }
        const pet = { ...newPet(id, input, current.version + 1), createdAt: current.createdAt };
        pets.set(id, pet);
        return pet;
      },
      async remove(id) {
        record('pets', 'remove', [id]);
        if (!pets.has(id)) throw new NotFoundError(`pet ${id} not found`);
        if (reserved.has(id)) throw new ConflictError(`pet ${id} has open reservations`);
        pets.delete(id);
      },
      async restock(id, quantity) {
        record('pets', 'restock', [id, quantity]);
        const current = pets.get(id);
        if (!current) throw new NotFoundError(`pet ${id} not found`);
        const pet = { ...current, stock: current.stock + quantity, status: petStatus(current.stock + quantity), version: current.version + 1 };
        pets.set(id, pet);
        return pet;
      },
    },
    orders: {
      async place(input: { userId: string; items: RequestedItem[]; paymentToken: string; idempotencyKey?: string }) {
        record('orders', 'place', [input]);
        const { idempotencyKey, ...request } = input;
        const body = JSON.stringify(request);
        if (idempotencyKey) {
          const seen = placedByKey.get(idempotencyKey);
          if (seen) {
            if (seen.body !== body) throw new UnprocessableError('Idempotency-Key reused with another request');
            return seen.result;
          }
        }
        const id = `order-new-${++sequence}`;
        orders.set(id, { ...order(id, input.userId, `pay-new-${sequence}`), status: 'AWAITING_INVENTORY', items: input.items.map((i) => ({ ...i, unitPriceCents: null })), totalCents: null, currency: null, paymentId: null });
        const result = { orderId: id, status: 'AWAITING_INVENTORY' as const };
        if (idempotencyKey) placedByKey.set(idempotencyKey, { body, result });
        return result;
      },
      async get(orderId) {
        record('orders', 'get', [orderId]);
        const found = orders.get(orderId);
        // A service may know more than the API shows: the response schema must drop it.
        return found ? ({ ...found, internalNote: 'never on the wire' } as OrderView) : undefined;
      },
      async listByUser(userId, query) {
        record('orders', 'listByUser', [userId, query]);
        return page([...orders.values()].filter((o) => o.userId === userId), query);
      },
      async list(query) {
        record('orders', 'list', [query]);
        const all = [...orders.values()]
          .filter((o) => (!query.status || o.status === query.status) && (!query.since || o.createdAt >= query.since) && (!query.userId || o.userId === query.userId))
          .reverse();
        return page(all, query);
      },
      async cancel(input: { orderId: string; actor: CancelActor; requestedBy: string; reason?: string }) {
        record('orders', 'cancel', [input]);
        const current = orders.get(input.orderId);
        if (!current) throw new NotFoundError(`order ${input.orderId} not found`);
        const cancelled: OrderView = {
          ...current,
          status: 'CANCELLED',
          cancelReason: input.actor === 'customer' ? 'CANCELLED_BY_CUSTOMER' : 'CANCELLED_BY_SUPPORT',
        };
        orders.set(input.orderId, cancelled);
        if (input.actor === 'support') audited({ actor: input.requestedBy, action: 'force-cancel', orderId: input.orderId, reason: input.reason ?? null });
        return cancelled;
      },
      async renotify(input) {
        record('orders', 'renotify', [input]);
        if (!orders.has(input.orderId)) throw new NotFoundError(`order ${input.orderId} not found`);
        const eventId = `event-${++sequence}`;
        audited({ actor: input.requestedBy, action: 'renotify', orderId: input.orderId, reason: input.reason ?? null, details: { eventId } });
        return { eventId };
      },
    },
    payments: {
      async pay(input) {
        record('payments', 'pay', [input]);
        const { idempotencyKey, ...request } = input;
        const body = JSON.stringify(request);
        if (idempotencyKey) {
          const seen = paidByKey.get(idempotencyKey);
          if (seen) {
            if (seen.body !== body) throw new UnprocessableError('Idempotency-Key reused with another request');
            return { payment: seen.payment, replayed: true };
          }
        }
        const existing = [...payments.values()].find((p) => p.orderId === input.orderId);
        if (!existing) throw new NotFoundError(`order ${input.orderId} has no payment yet`);
        const paid: PaymentView = { ...existing, status: input.paymentToken === 'tok_declined' ? 'FAILED' : 'SUCCEEDED', failureReason: input.paymentToken === 'tok_declined' ? 'DECLINED' : null };
        payments.set(paid.id, paid);
        if (idempotencyKey) paidByKey.set(idempotencyKey, { body, payment: paid });
        return { payment: paid, replayed: false };
      },
      async get(paymentId) {
        record('payments', 'get', [paymentId]);
        return payments.get(paymentId);
      },
      async getByOrder(orderId) {
        record('payments', 'getByOrder', [orderId]);
        return [...payments.values()].find((p) => p.orderId === orderId);
      },
      async listByOrder(orderId) {
        record('payments', 'listByOrder', [orderId]);
        return [...payments.values()].filter((p) => p.orderId === orderId);
      },
      async refund(paymentId, reason, requestedBy) {
        record('payments', 'refund', [paymentId, reason, requestedBy]);
        const current = payments.get(paymentId);
        if (!current) throw new NotFoundError(`payment ${paymentId} not found`);
        if (current.status !== 'SUCCEEDED') throw new ConflictError(`payment ${paymentId} is ${current.status}`);
        const refunded: PaymentView = { ...current, status: 'REFUNDED', refundedCents: current.amountCents ?? 0 };
        payments.set(paymentId, refunded);
        audited({ actor: requestedBy, action: 'refund', orderId: current.orderId, paymentId, reason });
        return refunded;
      },
      async createRefund(input) {
        record('payments', 'createRefund', [input]);
        const { idempotencyKey, requestedBy, ...request } = input;
        const body = JSON.stringify(request);
        const seen = refundsByKey.get(`${input.paymentId}:${idempotencyKey}`);
        if (seen) {
          if (seen.body !== body) throw new UnprocessableError('Idempotency-Key reused with another request');
          return { refund: seen.refund, replayed: true };
        }
        const current = payments.get(input.paymentId);
        if (!current) throw new NotFoundError(`payment ${input.paymentId} not found`);
        if (current.status !== 'SUCCEEDED' && current.status !== 'PARTIALLY_REFUNDED') throw new ConflictError(`payment ${input.paymentId} is ${current.status}`);
        const left = (current.amountCents ?? 0) - current.refundedCents;
        const amountCents = input.amountCents ?? (input.items ? input.items.reduce((n, i) => n + i.quantity * 1_000, 0) : left);
        if (amountCents > left) throw new ConflictError(`payment ${input.paymentId} cannot be refunded so: more than remains refundable`);
        const remainingCents = left - amountCents;
        const refund: RefundView = {
          id: `refund-${++sequence}`,
          paymentId: current.id,
          orderId: current.orderId,
          amountCents,
          currency: current.currency ?? 'EUR',
          items: (input.items ?? []).map((i) => ({ ...i, unitPriceCents: 1_000 })),
          reason: input.reason,
          actor: requestedBy,
          restock: input.restock,
          remainingCents,
          paymentStatus: remainingCents > 0 ? 'PARTIALLY_REFUNDED' : 'REFUNDED',
          gatewayRef: `sim_re_${sequence}`,
          createdAt: T0,
        };
        payments.set(current.id, { ...current, status: refund.paymentStatus, refundedCents: current.refundedCents + amountCents });
        refundsOf.set(current.id, [...(refundsOf.get(current.id) ?? []), refund]);
        refundsByKey.set(`${input.paymentId}:${idempotencyKey}`, { body, refund });
        audited({ actor: requestedBy, action: 'refund', orderId: current.orderId, paymentId: current.id, reason: input.reason, details: { refundId: refund.id, amountCents } });
        return { refund, replayed: false };
      },
      async listRefunds(paymentId) {
        record('payments', 'listRefunds', [paymentId]);
        return payments.has(paymentId) ? (refundsOf.get(paymentId) ?? []) : undefined;
      },
    },
    notifications: {
      async request(input) {
        record('notifications', 'request', [input]);
        return { eventId: `event-${++sequence}` };
      },
      async listByUser(userId, query) {
        record('notifications', 'listByUser', [userId, query]);
        return page(notifications.filter((n) => n.userId === userId), query);
      },
      async listByOrder(orderId, query) {
        record('notifications', 'listByOrder', [orderId, query]);
        return page(notifications.filter((n) => n.orderId === orderId && (query.userId === undefined || n.userId === query.userId)), query);
      },
    },
    contacts: {
      async get(userId) {
        record('contacts', 'get', [userId]);
        return contacts.get(userId);
      },
      async put(userId, { email, name, channels = {} }) {
        record('contacts', 'put', [userId, { email, name, channels }]);
        const before = contacts.get(userId)?.channels ?? { email: true, webhook: true };
        const contact: ContactView = { email, name, channels: { ...before, ...channels }, updatedAt: T0 };
        contacts.set(userId, contact);
        return contact;
      },
    },
    webhooks: {
      async create(owner, { url, eventTypes, description = null }) {
        if (!url.startsWith('https://')) throw new UnprocessableError('the webhook URL is refused: webhook URLs must be https');
        record('webhooks', 'create', [owner, { url, eventTypes, description }]);
        const id = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
        const view: WebhookSubscriptionView = { id, url, scope: owner.scope, eventTypes, description, status: 'PENDING_VERIFICATION', consecutiveFailures: 0, disabledReason: null, verifiedAt: null, disabledAt: null, createdAt: T0, updatedAt: T0 };
        subscriptions.set(id, { ...view, ownerId: owner.userId });
        return { ...view, secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' };
      },
      async list(ownerId, query) {
        record('webhooks', 'list', [ownerId, query]);
        return page([...subscriptions.values()].filter((s) => s.ownerId === ownerId).map(viewOf), query);
      },
      async get(ownerId, id) {
        record('webhooks', 'get', [ownerId, id]);
        const found = ownSubscription(ownerId, id);
        return found && viewOf(found);
      },
      async remove(ownerId, id) {
        if (!ownSubscription(ownerId, id)) throw new NotFoundError(`webhook subscription ${id} not found`);
        record('webhooks', 'remove', [ownerId, id]);
        subscriptions.delete(id);
      },
      async verify(ownerId, id) {
        const found = ownSubscription(ownerId, id);
        if (!found) throw new NotFoundError(`webhook subscription ${id} not found`);
        record('webhooks', 'verify', [ownerId, id]);
        found.status = 'PENDING_VERIFICATION';
        return viewOf(found);
      },
      async deliveries(ownerId, id, query) {
        if (!ownSubscription(ownerId, id)) throw new NotFoundError(`webhook subscription ${id} not found`);
        record('webhooks', 'list', [ownerId, id, query]);
        return page(deliveries.filter((d) => d.subscriptionId === id), query);
      },
      async replay(ownerId, deliveryId) {
        const original = deliveries.find((d) => d.id === deliveryId && ownSubscription(ownerId, d.subscriptionId));
        if (!original) throw new NotFoundError(`webhook delivery ${deliveryId} not found`);
        record('webhooks', 'replay', [ownerId, deliveryId]);
        return { ...original, id: `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`, status: 'PENDING', attempts: 0, replayOf: original.id, tries: [] };
      },
    },
    audit: {
      async record(input) {
        record('audit', 'record', [input]);
        return audited(input);
      },
      async listByOrder(orderId) {
        record('audit', 'listByOrder', [orderId]);
        return audit.filter((entry) => entry.orderId === orderId);
      },
    },
    orderHistory: {
      async find(orderId) {
        record('orderHistory', 'find', [orderId]);
        const known = orders.get(orderId);
        return known && deriveHistory(orderId, known.userId, { [`placed-${orderId}`]: { type: 'OrderPlaced', time: known.createdAt, data: { items: known.items } } });
      },
    },
    health: {
      async readiness() {
        record('health', 'readiness', []);
        return { ...readiness };
      },
    },
  };

  /** The calls of one port method, or of every method of a port. */
  const callsTo = (port: keyof ApiPorts, method?: string) => calls.filter((c) => c.port === port && (method === undefined || c.method === method));
  /** Calls that would change state (anything but reads), for "nothing was written" checks. */
  const writes = () => calls.filter((c) => !['get', 'list', 'listByUser', 'listByOrder', 'getByOrder', 'find', 'readiness'].includes(c.method));

  return { ports, calls, callsTo, writes, readiness, pets, orders, payments, notifications, audit };
}

/** What fakePorts returns. */
export type FakePorts = ReturnType<typeof fakePorts>;
