// What the REST API needs from the services. The services implement these; runtime/ wires them;
// API tests pass fakes. Errors from lib/errors.ts become problem+json responses.
import type { CancelActor, CancelReason, OrderStatus, RequestedItem } from '../domain/orders';
import type { PaymentFailure, PaymentStatus } from '../domain/payments';
import type { Pet, PetStatus } from '../domain/pets';

/** One page of a list; pass nextCursor back as `cursor` for the next page (null at the end). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Paging arguments every list takes. */
export interface PageQuery {
  limit: number;
  cursor?: string;
}

/** The writable fields of a pet (POST takes these; PUT replaces them). */
export interface PetInput {
  name: string;
  species: string;
  breed?: string | null;
  age?: number | null;
  description?: string | null;
  tags?: string[];
  priceCents: number;
  currency?: string;
  stock: number;
}

/** Pet Inventory: the catalogue. Throws NotFoundError, PreconditionFailedError (stale version), ConflictError (open reservations). */
export interface PetsPort {
  list(query: PageQuery & { species?: string; status?: PetStatus }): Promise<Page<Pet>>;
  get(id: string): Promise<Pet | undefined>;
  create(input: PetInput): Promise<Pet>;
  /** Replaces the writable fields; with expectedVersion, a stale version throws PreconditionFailedError. */
  update(id: string, input: PetInput, expectedVersion?: number): Promise<Pet>;
  /** Removes a pet from the catalogue; ConflictError while it has open reservations. */
  remove(id: string): Promise<void>;
}

/** An order as the API shows it. Prices and total are known once Inventory reserved the pets. */
export interface OrderView {
  id: string;
  userId: string;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  items: { petId: string; quantity: number; unitPriceCents: number | null }[];
  totalCents: number | null;
  currency: string | null;
  paymentId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Order: places orders (starting their sagas), reads and cancels them. */
export interface OrdersPort {
  /**
   * Starts the order's saga and returns once the order is written. With an idempotencyKey the
   * same request returns the original answer and never a second order; the same key with
   * another body throws UnprocessableError.
   */
  place(input: { userId: string; items: RequestedItem[]; paymentToken: string; idempotencyKey?: string }): Promise<{ orderId: string; status: OrderStatus }>;
  get(orderId: string): Promise<OrderView | undefined>;
  listByUser(userId: string, query: PageQuery): Promise<Page<OrderView>>;
  /** Customers may cancel before the payment succeeded (ConflictError after); support any time. */
  cancel(input: { orderId: string; actor: CancelActor; requestedBy: string }): Promise<OrderView>;
}

/** A payment as the API shows it. */
export interface PaymentView {
  id: string;
  orderId: string;
  userId: string;
  amountCents: number | null;
  currency: string | null;
  status: PaymentStatus;
  failureReason: PaymentFailure | null;
  createdAt: string;
}

/** Payment: pay or retry an order's payment, read payments. */
export interface PaymentsPort {
  /**
   * Charges the order's payment with this token (first try or retry). NotFoundError when the
   * order has no payment (yet); ConflictError when it can no longer be paid. With an
   * idempotencyKey, a repeat returns the original payment (`replayed`), the same key with another
   * body throws UnprocessableError, and a repeat while the first is in flight throws ConflictError.
   */
  pay(input: { orderId: string; paymentToken: string; idempotencyKey?: string }): Promise<{ payment: PaymentView; replayed: boolean }>;
  get(paymentId: string): Promise<PaymentView | undefined>;
  /** The order's payment, for ownership checks (payments are owned by the order's customer). */
  getByOrder(orderId: string): Promise<PaymentView | undefined>;
}

/** A recorded notification. */
export interface NotificationView {
  id: string;
  userId: string;
  orderId: string | null;
  kind: string;
  channel: 'log' | 'webhook';
  body: string;
  status: 'DELIVERED' | 'FAILED';
  deliveredAt: string | null;
  createdAt: string;
}

/** Notification: the internal send API and the per-user list. */
export interface NotificationsPort {
  /** Queues a notification (through the outbox and the notifications topic); returns its event id. */
  request(input: { userId: string; kind: string; body: string; channel?: 'log' | 'webhook'; orderId?: string }): Promise<{ eventId: string }>;
  listByUser(userId: string, query: PageQuery): Promise<Page<NotificationView>>;
}

/** Readiness of the parts the services depend on. */
export interface HealthPort {
  readiness(): Promise<Record<'postgres' | 'kafka' | 'temporal', boolean>>;
}

/** Everything buildApp needs. */
export interface ApiPorts {
  pets: PetsPort;
  orders: OrdersPort;
  payments: PaymentsPort;
  notifications: NotificationsPort;
  health: HealthPort;
}
