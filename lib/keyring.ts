import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigError, type Config } from './config';
import { secretFile } from './secret-file';

/** One AES-256 key and the id that names it in what it encrypted. */
export interface NamedKey {
  id: string;
  key: Buffer;
}

/**
 * Keys for one purpose, newest first: the first encrypts, every one decrypts. Rotation: put a new key
 * first, keep the old ones behind it until nothing encrypted with them is still read, then drop them.
 */
export type KeyRing = readonly NamedKey[];

/** AES-256-GCM keys are 32 bytes. */
export const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Parses `id:base64key,id:base64key,...` (each key 32 bytes, ids unique). Errors name the variable and
 * the position, never a key.
 */
export function parseKeyRing(raw: string, variable: string): KeyRing {
  const entries = raw.split(',').map((part) => part.trim()).filter(Boolean);
  if (entries.length === 0) throw new ConfigError(`${variable} must list at least one key as id:base64key`);
  const ring = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    if (!KEY_ID.test(id)) throw new ConfigError(`${variable}: key ${index + 1} must be id:base64key with an id of letters, digits, _ or - (at most 32)`);
    const encoded = entry.slice(colon + 1);
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64') : Buffer.alloc(0);
    if (key.length !== KEY_BYTES) throw new ConfigError(`${variable}: key "${id}" must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)`);
    return { id, key };
  });
  const ids = ring.map((k) => k.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated) throw new ConfigError(`${variable}: key id "${repeated}" appears twice`);
  return ring;
}

/** A fresh one-key ring in the variables' format, for the local stack's data folder. */
export const newKeyRingText = (): string => `local-${randomBytes(3).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}`;

/**
 * The configured ring, else, on the local stack only, one generated once into `<dataDir>/<file>` (as the
 * JWT secret is). Anywhere else each host would make its own key and could not read the others' data,
 * so a missing variable stops the process.
 */
export function resolveKeyRing(config: Config, configured: KeyRing | undefined, { variable, file }: { variable: string; file: string }): KeyRing {
  if (configured) return configured;
  if (config.auth.localSecretAllowed === false) {
    throw new ConfigError(`${variable} is required outside the local stack (DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set): give every process the same keys, id:base64key,...`);
  }
  return parseKeyRing(secretFile(config.dataDir, file, newKeyRingText), `${config.dataDir}/${file}`);
}

/** Encrypts with AES-256-GCM under `key`; `aad` binds the ciphertext to its context (it must be given again to open it). Returns iv | ciphertext | tag. */
export function sealBytes(key: Buffer, plaintext: Uint8Array, aad?: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]);
}

/** Opens what sealBytes made; throws when the key, the AAD or a single byte is wrong. */
export function openBytes(key: Buffer, sealed: Uint8Array, aad?: Buffer): Buffer {
  const data = Buffer.from(sealed);
  if (data.length < IV_BYTES + TAG_BYTES) throw new Error('the sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
}

/** The ring's key with this id, or an error that names the id (a key removed too early, or another deployment's data). */
export function keyById(ring: KeyRing, id: string, what: string): Buffer {
  const found = ring.find((k) => k.id === id);
  if (!found) throw new Error(`${what} was encrypted with key "${id}", which is not configured`);
  return found.key;
}

/** The Temporal payload codec's keys (TEMPORAL_CODEC_KEYS, or the local stack's). */
export const temporalCodecKeys = (config: Config): KeyRing =>
  resolveKeyRing(config, config.security.temporalCodecKeys, { variable: 'TEMPORAL_CODEC_KEYS', file: 'temporal-codec-keys' });

/** The keys that seal payment tokens for Payment (PAYMENT_TOKEN_KEYS, or the local stack's). */
export const paymentTokenKeys = (config: Config): KeyRing =>
  resolveKeyRing(config, config.security.paymentTokenKeys, { variable: 'PAYMENT_TOKEN_KEYS', file: 'payment-token-keys' });

/** The HMAC key of request hashes (REQUEST_HASH_KEY, or the local stack's). */
export function requestHashKey(config: Config): Buffer {
  if (config.security.requestHashKey) return config.security.requestHashKey;
  if (config.auth.localSecretAllowed === false) {
    throw new ConfigError('REQUEST_HASH_KEY is required outside the local stack (DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set): give every API replica the same key (openssl rand -base64 32)');
  }
  return Buffer.from(secretFile(config.dataDir, 'request-hash-key', () => randomBytes(KEY_BYTES).toString('base64')), 'base64');
}
