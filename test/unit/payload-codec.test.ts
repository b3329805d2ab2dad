import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { ConfigError } from '../../lib/config';
import { parseKeyRing, type KeyRing } from '../../lib/keyring';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from '../../lib/payload-codec';
import { isSealedPaymentToken, openPaymentToken, requestHash, sealPaymentToken } from '../../lib/payment-token';
import { hideTokens, HIDDEN_TOKEN } from '../../support/tail';
import { testTokenOf } from '../../services/payments/gateway';

const key = () => randomBytes(32).toString('base64');
const ring = (...ids: string[]): KeyRing => parseKeyRing(ids.map((id) => `${id}:${key()}`).join(','), 'TEST_KEYS');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString();

describe('key rings', () => {
  it('parses id:base64key lists, the first one active', () => {
    const keys = parseKeyRing(`k2:${key()}, k1:${randomBytes(32).toString('base64url')}`, 'TEMPORAL_CODEC_KEYS');
    expect(keys.map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(keys.every((k) => k.key.length === 32)).toBe(true);
  });

  it.each([
    ['', 'at least one key'],
    ['nokey', 'id:base64key'],
    [`k1:${randomBytes(16).toString('base64')}`, '32 random bytes'],
    [`k1:${key()},k1:${key()}`, 'appears twice'],
  ])('refuses %j, naming the variable and never the key', (raw, message) => {
    expect(() => parseKeyRing(raw, 'TEMPORAL_CODEC_KEYS')).toThrow(ConfigError);
    expect(() => parseKeyRing(raw, 'TEMPORAL_CODEC_KEYS')).toThrow(message);
    try {
      parseKeyRing(raw, 'TEMPORAL_CODEC_KEYS');
    } catch (error) {
      expect((error as Error).message).toContain('TEMPORAL_CODEC_KEYS');
      for (const part of raw.split(',')) if (part.includes(':')) expect((error as Error).message).not.toContain(part.split(':')[1]);
    }
  });
});

describe('the Temporal payload codec', () => {
  const payload = defaultPayloadConverter.toPayload({ paymentToken: 'tok_secret_123', orderId: 'o-1' });

  it('encrypts a payload whole under the active key and names the key in the metadata', async () => {
    const [encoded] = await new EncryptionCodec(ring('new', 'old')).encode([payload]);
    expect(text(encoded!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('new');
    expect(Buffer.from(encoded!.data!).includes('tok_secret_123')).toBe(false);
    expect(Buffer.from(encoded!.data!).includes('json/plain')).toBe(false);
  });

  it('decodes with any key of the ring (rotation), and passes through payloads it did not encode', async () => {
    const old = ring('old');
    const [byOld] = await new EncryptionCodec(old).encode([payload]);
    const rotated = new EncryptionCodec([...ring('new'), ...old]);
    const [decoded, plain] = await rotated.decode([byOld!, payload]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ paymentToken: 'tok_secret_123', orderId: 'o-1' });
    expect(plain).toBe(payload);
  });

  it('refuses a payload under a key it does not have, or altered', async () => {
    const [encoded] = await new EncryptionCodec(ring('gone')).encode([payload]);
    await expect(new EncryptionCodec(ring('other')).decode([encoded!])).rejects.toThrow('key "gone", which is not configured');
    const keys = ring('k');
    const [mine] = await new EncryptionCodec(keys).encode([payload]);
    const tampered = Buffer.from(mine!.data!);
    tampered[20] = tampered[20]! ^ 1;
    await expect(new EncryptionCodec(keys).decode([{ ...mine, data: tampered }])).rejects.toThrow();
  });
});

describe('sealed payment tokens', () => {
  it('seals for one order: opens with any key of the ring, not for another order', () => {
    const keys = ring('p1');
    const sealed = sealPaymentToken(keys, 'order-1', 'tok_live_abc');
    expect(isSealedPaymentToken(sealed)).toBe(true);
    expect(sealed).not.toContain('tok_live_abc');
    expect(sealed.startsWith('ptk1.p1.')).toBe(true);
    expect(openPaymentToken([...ring('p2'), ...keys], 'order-1', sealed)).toBe('tok_live_abc');
    expect(() => openPaymentToken(keys, 'order-2', sealed)).toThrow();
    // A token from before sealing passes as it is.
    expect(openPaymentToken(keys, 'order-1', 'tok_ok')).toBe('tok_ok');
  });

  it('hashes requests with a key: the same request the same hash, another key another hash', () => {
    const a = randomBytes(32);
    expect(requestHash(a, { token: 'tok_ok' })).toBe(requestHash(a, { token: 'tok_ok' }));
    expect(requestHash(a, { token: 'tok_ok' })).not.toBe(requestHash(randomBytes(32), { token: 'tok_ok' }));
  });

  it('events tail hides the token of OrderPlaced', () => {
    const event = { type: 'OrderPlaced', data: { userId: 'u', paymentToken: 'ptk1.k.abc' } };
    expect(hideTokens(event)).toEqual({ type: 'OrderPlaced', data: { userId: 'u', paymentToken: HIDDEN_TOKEN } });
    expect(hideTokens({ type: 'OrderConfirmed', data: {} })).toEqual({ type: 'OrderConfirmed', data: {} });
  });

  it('the simulator reads tok_ok_<anything> as tok_ok', () => {
    expect(testTokenOf('tok_ok_1234')).toBe('tok_ok');
    expect(testTokenOf('tok_declined')).toBe('tok_declined');
    expect(testTokenOf('tok_okay')).toBe('tok_okay');
  });
});
