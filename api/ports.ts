// What the REST API needs from the services. The services implement these; runtime/ wires them;
// API tests pass fakes. Errors from lib/errors.ts become problem+json responses.
import type { SupportAction } from '../domain/audit';
import type { OrderHistory } from '../domain/order-history';
import type { CancelActor, CancelReason, CompensationStatus, OrderStatus, PricedItem, RequestedItem } from '../domain/orders';
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
  /** Adds quantity to the stock in one statement (never a read-modify-write) and bumps the version; NotFoundError for an unknown pet. */
  restock(id: string, quantity: number): Promise<Pet>;
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
  /** Once cancelled by its saga: pending until Inventory restocked and Payment refunded what the cancel asked for, then done; stuck past the compensation deadline. Null otherwise. */
  compensation: CompensationStatus | null;
  createdAt: string;
  updatedAt: string;
}

/** Filters of the support-wide order list; all optional, `since` = created at or after (ISO 8601). */
export interface OrderListQuery extends PageQuery {
  status?: OrderStatus;
  since?: string;
  userId?: string;
}

/** Order: places orders (starting their sagas), reads, lists, cancels and renotifies them. */
export interface OrdersPort {
  /**
   * Starts the order's saga and returns once the order is written. With an idempotencyKey the
   * same request returns the original answer and never a second order; the same key with
   * another body throws UnprocessableError.
   */
  /**
   * Places an order by starting its saga. Without an Idempotency-Key the caller cannot retry safely, so an
   * order its caller gave up on (`abandoned()` true once placed, or a Temporal call that timed out) is cancelled
   * before any charge; with a key, the retry joins the same order instead.
   */
  place(input: { userId: string; items: RequestedItem[]; paymentToken: string; idempotencyKey?: string }, caller?: { abandoned(): boolean }): Promise<{ orderId: string; status: OrderStatus }>;
  get(orderId: string): Promise<OrderView | undefined>;
  listByUser(userId: string, query: PageQuery): Promise<Page<OrderView>>;
  /** Every customer's orders, newest first, filtered by any of status, since and userId (support). */
  list(query: OrderListQuery): Promise<Page<OrderView>>;
  /**
   * Customers may cancel before the payment succeeded (ConflictError after); support any time.
   * A support cancel that cancels the order is audited as force-cancel, by requestedBy, with the reason.
   */
  cancel(input: { orderId: string; actor: CancelActor; requestedBy: string; reason?: string }): Promise<OrderView>;
  /** Sends the customer a fresh notification of the order's current status (kind order-status), audited as renotify; NotFoundError for an unknown order. */
  renotify(input: { orderId: string; requestedBy: string; reason?: string }): Promise<{ eventId: string }>;
}

/** A payment as the API shows it. */
export interface PaymentView {
  id: string;
  orderId: string;
  userId: string;
  amountCents: number | null;
  /** The sum of the payment's refunds so far. */
  refundedCents: number;
  currency: string | null;
  status: PaymentStatus;
  failureReason: PaymentFailure | null;
  createdAt: string;
}

/** One refund of a payment as the API shows it. */
export interface RefundView {
  id: string;
  paymentId: string;
  orderId: string;
  amountCents: number;
  currency: string;
  /** The order lines refunded, at their captured prices; empty for a refund by amount. */
  items: PricedItem[];
  reason: string;
  /** Who asked: support's token subject, or `system` for the refund of a cancelled order. */
  actor: string;
  /** Whether the refunded lines were sent back to stock. */
  restock: boolean;
  /** What stayed refundable after this refund: 0 when it refunded the payment in full. */
  remainingCents: number;
  /** The payment's status right after this refund. */
  paymentStatus: 'PARTIALLY_REFUNDED' | 'REFUNDED';
  /** The gateway's reference of the refund. */
  gatewayRef: string;
  createdAt: string;
}

/** What support asks to refund: an amount, some of the order's lines, or neither (whatever remains). */
export interface RefundInput {
  paymentId: string;
  amountCents?: number;
  items?: RequestedItem[];
  reason: string;
  /** Put the refunded lines back in stock (only with items, or for the rest). */
  restock: boolean;
  requestedBy: string;
  idempotencyKey: string;
}

/** Payment: pay or retry an order's payment, read payments. */
export interface PaymentsPort {
  /**
   * Charges the order's payment with this token (first try or retry). NotFoundError when the
   * order has no payment (yet); ConflictError when it can no longer be paid. With an
   * idempotencyKey, a repeat returns the original payment (`replayed`), the same key with another
   * body throws UnprocessableError, and a repeat while the first is in flight waits for it and replays it.
   */
  pay(input: { orderId: string; paymentToken: string; idempotencyKey?: string }): Promise<{ payment: PaymentView; replayed: boolean }>;
  get(paymentId: string): Promise<PaymentView | undefined>;
  /** The order's payment, for ownership checks (payments are owned by the order's customer). */
  getByOrder(orderId: string): Promise<PaymentView | undefined>;
  /** The order's payments (zero or one today: retries are attempts of the one payment). */
  listByOrder(orderId: string): Promise<PaymentView[]>;
  /**
   * Refunds what a SUCCEEDED or PARTIALLY_REFUNDED payment still holds through the gateway: REFUNDED, a refunds row,
   * PaymentRefunded and the audit entry (by requestedBy) in one transaction. NotFoundError for an unknown payment,
   * ConflictError when nothing captured remains to refund.
   */
  refund(paymentId: string, reason: string, requestedBy: string): Promise<PaymentView>;
  /**
   * Refunds part of a captured payment (an amount, or order lines priced as captured), or what remains,
   * never beyond what was captured minus earlier refunds (ConflictError, with why). The refund row, the
   * payment's new status, PaymentRefunded and the audit entry are written in one transaction. The same
   * idempotencyKey with the same input replays the first refund (`replayed`); with another input it is an
   * UnprocessableError. NotFoundError for an unknown payment.
   */
  createRefund(input: RefundInput): Promise<{ refund: RefundView; replayed: boolean }>;
  /** The payment's refunds, oldest first; undefined for an unknown payment. */
  listRefunds(paymentId: string): Promise<RefundView[] | undefined>;
}

/** A recorded notification. */
export interface NotificationView {
  id: string;
  userId: string;
  orderId: string | null;
  kind: string;
  channel: 'log' | 'webhook' | 'email';
  body: string;
  /** PENDING until tried: DELIVERED (log, webhook), SENT (email accepted by the SMTP server) or FAILED. */
  status: 'PENDING' | 'DELIVERED' | 'SENT' | 'FAILED';
  deliveredAt: string | null;
  createdAt: string;
  /** Delivery tries so far and the last failure's error (webhook and email). */
  attempts?: number;
  error?: string | null;
}

/** Notification: the internal send API and the per-user list. */
export interface NotificationsPort {
  /** Queues a notification (through the outbox and the notifications topic); returns its event id. */
  request(input: { userId: string; kind: string; body: string; channel?: 'log' | 'webhook'; orderId?: string }): Promise<{ eventId: string }>;
  listByUser(userId: string, query: PageQuery): Promise<Page<NotificationView>>;
  /** The notifications about one order, newest first; with userId, only that user's. */
  listByOrder(orderId: string, query: PageQuery & { userId?: string }): Promise<Page<NotificationView>>;
}

/** A customer's contact profile: where Notification sends email, and which channels they want. */
export interface ContactView {
  email: string;
  name: string | null;
  channels: { email: boolean; webhook: boolean };
  updatedAt: string;
}

/** Notification's contact profiles, each customer's own. */
export interface ContactsPort {
  get(userId: string): Promise<ContactView | undefined>;
  /** Creates or replaces the profile; channels left out keep their value (on for a new profile). */
  put(userId: string, input: { email: string; name: string | null; channels?: { email?: boolean; webhook?: boolean } }): Promise<ContactView>;
}

/** Where a webhook subscription stands: no deliveries until the endpoint echoed the challenge, none after it was disabled. */
export type WebhookSubscriptionStatus = 'PENDING_VERIFICATION' | 'ACTIVE' | 'DISABLED';

/** Whose orders a subscription hears of: a customer's own, or (an admin's, for integrators) every order's. */
export type WebhookScope = 'own-orders' | 'all-orders';

/** A webhook subscription as its owner sees it (never its secret, which only the creation answer carries). */
export interface WebhookSubscriptionView {
  id: string;
  url: string;
  scope: WebhookScope;
  eventTypes: string[];
  description: string | null;
  status: WebhookSubscriptionStatus;
  /** Failed tries since the last success. */
  consecutiveFailures: number;
  disabledReason: string | null;
  verifiedAt: string | null;
  disabledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The answer to a creation: the subscription and, this once, its signing secret. */
export interface CreatedWebhookSubscription extends WebhookSubscriptionView {
  secret: string;
}

/** One try of a delivery. */
export interface WebhookAttemptView {
  attempt: number;
  startedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
}

/** One delivery of the log: what was sent (its type and ids, never its body) and how each try went. */
export interface WebhookDeliveryView {
  id: string;
  subscriptionId: string;
  /** The webhook-id header: the same on every try and on a replay. */
  messageId: string;
  eventType: string;
  eventId: string | null;
  orderId: string | null;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  nextAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  replayOf: string | null;
  createdAt: string;
  deliveredAt: string | null;
  tries: WebhookAttemptView[];
}

/** Who asks: the token's subject and what their role lets a subscription hear. */
export interface WebhookOwner {
  userId: string;
  scope: WebhookScope;
}

/**
 * Notification's webhook subscriptions, each its owner's alone: another owner's id is a NotFoundError.
 * A URL the webhook policy refuses, or one subscription too many, is an UnprocessableError.
 */
export interface WebhooksPort {
  /** Creates a PENDING_VERIFICATION subscription and queues its verification request. */
  create(owner: WebhookOwner, input: { url: string; eventTypes: string[]; description?: string | null }): Promise<CreatedWebhookSubscription>;
  list(ownerId: string, query: PageQuery): Promise<Page<WebhookSubscriptionView>>;
  get(ownerId: string, id: string): Promise<WebhookSubscriptionView | undefined>;
  /** Deletes it with its deliveries; NotFoundError when it is not the owner's. */
  remove(ownerId: string, id: string): Promise<void>;
  /** Sends a fresh challenge (to verify again, or to re-enable a DISABLED subscription): PENDING_VERIFICATION until echoed. */
  verify(ownerId: string, id: string): Promise<WebhookSubscriptionView>;
  /** The subscription's deliveries, newest first, each with its tries. */
  deliveries(ownerId: string, id: string, query: PageQuery): Promise<Page<WebhookDeliveryView>>;
  /** Queues a finished delivery again (same webhook-id, a new row); ConflictError while it is pending or the subscription is not ACTIVE. */
  replay(ownerId: string, deliveryId: string): Promise<WebhookDeliveryView>;
}

/** One support action as the audit shows it. */
export interface AuditEntry {
  id: string;
  at: string;
  /** The token's subject, or its role when the token names no user. */
  actor: string;
  action: SupportAction;
  orderId: string;
  paymentId: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

/** What an audit entry is made of; id and time are the audit's. */
export interface AuditInput {
  actor: string;
  action: SupportAction;
  orderId: string;
  paymentId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** The audit of support actions: recorded by the services (in the action's transaction where it has one) or by the API right after. */
export interface AuditPort {
  record(input: AuditInput): Promise<AuditEntry>;
  /** One order's audit entries, oldest first. */
  listByOrder(orderId: string): Promise<AuditEntry[]>;
}

/** Readiness of the parts the services depend on. */
export interface HealthPort {
  readiness(): Promise<Record<'postgres' | 'kafka' | 'temporal', boolean>>;
}

/** Committed status changes of orders, for the live order streams (GET /orders/:orderId/events). */
export interface OrderStatusFeedPort {
  /** Calls onChange after each committed status change of the order until the returned function is called; resolves once listening. */
  subscribe(orderId: string, onChange: () => void): Promise<() => void>;
}

/** The order-history projection (built from the event topics alone), for GET /orders/:orderId/history. */
export interface OrderHistoryPort {
  /** The order's history, or undefined when the projection has seen no event of it. */
  find(orderId: string): Promise<OrderHistory | undefined>;
}

/** Everything buildApp needs. */
export interface ApiPorts {
  orderHistory: OrderHistoryPort;
  pets: PetsPort;
  orders: OrdersPort;
  payments: PaymentsPort;
  notifications: NotificationsPort;
  contacts: ContactsPort;
  webhooks: WebhooksPort;
  audit: AuditPort;
  health: HealthPort;
  /** Without it, GET /orders/:orderId/events answers 503 (a process that cannot listen to the database). */
  orderStatusFeed?: OrderStatusFeedPort;
}

/** A request budget shared by every API replica: counts one hit on `key` in its window. */
export interface RateLimitCounter {
  /** Counts a request; returns the hits in the current window (this one included) and the ms until it ends. */
  hit(key: string, windowMs: number): Promise<{ hits: number; ttlMs: number }>;
}
