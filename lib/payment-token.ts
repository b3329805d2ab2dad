import { createHmac } from 'node:crypto';
import { keyById, openBytes, sealBytes, type KeyRing } from './keyring';

// A payment token could be replayed to charge, so it travels and rests sealed for Payment alone:
// AES-256-GCM under PAYMENT_TOKEN_KEYS, bound to its order (the AAD), so a sealed token copied into
// another order does not open. Inventory and Notification read the same events and cannot open it.

/** What a sealed token starts with: the format's version. */
export const SEALED_TOKEN_PREFIX = 'ptk1';

/** `ptk1.<key id>.<base64url of iv | ciphertext | tag>`. */
const SEALED = /^ptk1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]+)$/;

const aad = (orderId: string) => Buffer.from(`payment-token:${orderId}`);

/** Whether a value is a sealed token (rather than a token in clear, as events and rows written before sealing hold). */
export const isSealedPaymentToken = (value: string): boolean => SEALED.test(value);

/** Seals a token for the order's payment under the ring's first key. */
export function sealPaymentToken(ring: KeyRing, orderId: string, token: string): string {
  const { id, key } = ring[0]!;
  return `${SEALED_TOKEN_PREFIX}.${id}.${sealBytes(key, Buffer.from(token, 'utf8'), aad(orderId)).toString('base64url')}`;
}

/** The token in clear; a value that is not sealed (from before sealing) is returned as it is. Throws for a wrong order, key or byte. */
export function openPaymentToken(ring: KeyRing, orderId: string, value: string): string {
  const match = SEALED.exec(value);
  if (!match) return value;
  const key = keyById(ring, match[1]!, 'a payment token');
  return openBytes(key, Buffer.from(match[2]!, 'base64url'), aad(orderId)).toString('utf8');
}

/** Seals a token unless it is sealed already. */
export const sealedPaymentToken = (ring: KeyRing, orderId: string, value: string): string =>
  isSealedPaymentToken(value) ? value : sealPaymentToken(ring, orderId, value);

/**
 * The hash an Idempotency-Key's request is remembered by: HMAC-SHA256 under REQUEST_HASH_KEY, so that
 * whoever reads it (a row, a saga's input) cannot test guessed tokens against it as with a bare sha256.
 */
export const requestHash = (key: Buffer, request: unknown): string => createHmac('sha256', key).update(JSON.stringify(request)).digest('hex');
