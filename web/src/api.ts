// The storefront's typed client of the petstore API: the wire types are the API's own schemas
// (imported as types only, so nothing of the server reaches the bundle), and every refusal
// becomes an ApiError whose message is a sentence a customer can act on.
import type { Static } from 'typebox';
import type { OrderAcceptedSchema, OrderPageSchema, OrderViewSchema } from '../../api/schemas/orders';
import type { PaymentListSchema, PaymentViewSchema } from '../../api/schemas/payments';
import type { PetPageSchema, PetSchema } from '../../api/schemas/pets';
import type { Problem } from '../../api/schemas/common';
import { currentSession, signOut } from './session';

/** A pet of the catalogue. */
export type Pet = Static<typeof PetSchema>;
/** A page of the catalogue. */
export type PetPage = Static<typeof PetPageSchema>;
/** An order as GET /orders/:orderId answers it. */
export type Order = Static<typeof OrderViewSchema>;
/** A page of a customer's orders. */
export type OrderPage = Static<typeof OrderPageSchema>;
/** POST /orders's answer. */
export type OrderAccepted = Static<typeof OrderAcceptedSchema>;
/** A payment of an order. */
export type Payment = Static<typeof PaymentViewSchema>;

/** The API refused a request, or could not be reached; `message` is a sentence for the customer. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sentence = (text: string): string => {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
};

// Field paths as a customer would name the field.
const FIELD_NAMES: Record<string, string> = {
  paymentToken: 'The payment token',
  items: 'The basket',
  name: 'The name',
  quantity: 'The quantity',
};

function fieldSentence({ path, message }: { path: string; message: string }): string {
  const field = path.split('/').filter(Boolean).pop() ?? '';
  return sentence(`${FIELD_NAMES[field] ?? (field ? `The field ${field}` : 'The request')} ${message}`);
}

/** A problem+json answer as sentences: its detail, each invalid field, and when to try again. */
export function problemSentence(problem: Partial<Problem> | undefined, status: number, retryAfter: string | null): string {
  if (status === 401) return 'Your sign-in has expired or is not valid; please sign in again.';
  const parts = [sentence(problem?.detail ?? problem?.title ?? `The shop answered with an error (${status})`)];
  for (const error of problem?.errors ?? []) parts.push(fieldSentence(error));
  if ((status === 429 || status === 503) && retryAfter && /^\d+$/.test(retryAfter)) parts.push(`Please try again in ${retryAfter} seconds.`);
  return parts.join(' ');
}

/** The bearer header of the signed-in customer, if any. */
export function authHeaders(): Record<string, string> {
  const session = currentSession();
  return session ? { authorization: `Bearer ${session.token}` } : {};
}

/** One call to the API (same origin): JSON in and out, refusals as ApiError. */
export async function api<T>(method: string, path: string, { body, headers = {}, signal }: { body?: unknown; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...authHeaders(), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError('The shop cannot be reached right now; check your connection and try again.', 0);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  if (response.status === 401) signOut();
  throw new ApiError(problemSentence(parsed as Partial<Problem> | undefined, response.status, response.headers.get('retry-after')), response.status);
}

/** A fresh Idempotency-Key, so a retried click never places or pays twice. */
export const idempotencyKey = (): string => crypto.randomUUID();

/** The catalogue, by species and availability (the API's filters), one page at a time. */
export const listPets = (query: { species?: string; status?: string; cursor?: string; limit?: number }) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(name, String(value));
  return api<PetPage>('GET', `/pets?${params.toString()}`);
};
/** One pet. */
export const getPet = (id: string) => api<Pet>('GET', `/pets/${encodeURIComponent(id)}`);
/** Places an order for the basket; the saga takes it from there. */
export const placeOrder = (items: { petId: string; quantity: number }[], paymentToken: string, key: string) =>
  api<OrderAccepted>('POST', '/orders', { body: { items, paymentToken }, headers: { 'idempotency-key': key } });
/** The customer's orders, newest first. */
export const listMyOrders = (userId: string, cursor?: string) =>
  api<OrderPage>('GET', `/orders/user/${encodeURIComponent(userId)}?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
/** Cancels the order (allowed until it is paid). */
export const cancelOrder = (orderId: string) => api<Order>('POST', `/orders/${encodeURIComponent(orderId)}/cancel`, { body: {} });
/** Pays (again) for an order awaiting payment. */
export const pay = (orderId: string, paymentToken: string) =>
  api<Payment>('POST', '/payments', { body: { orderId, paymentToken }, headers: { 'idempotency-key': idempotencyKey() } });
/** The order's payments (attempts of one payment). */
export const listPayments = (orderId: string) => api<Static<typeof PaymentListSchema>>('GET', `/payments?orderId=${encodeURIComponent(orderId)}`);
