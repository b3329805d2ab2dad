import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { keyById, openBytes, sealBytes, type KeyRing } from './keyring';

/** The metadata encoding of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata entry naming the key that encrypted a payload. */
export const KEY_ID_METADATA = 'encryption-key-id';

const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined): string | undefined => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);
// Bound to the encoding, so the ciphertext of something else cannot be passed off as a payload.
const AAD = Buffer.from(ENCRYPTED_ENCODING);

/** Whether this codec encrypted the payload (its metadata says so). */
export const isEncrypted = (payload: Payload): boolean => text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;

/**
 * Encrypts every Temporal payload (workflow and activity inputs and results, signals, updates, queries,
 * memos) with AES-256-GCM under the ring's first key: the whole payload, its metadata included, is
 * serialized and sealed, and the key's id travels in the new payload's metadata. Decoding takes any key
 * of the ring, and passes through a payload without this encoding: histories written before the codec,
 * or by a client without it, still read.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {
    if (ring.length === 0) throw new Error('the payload codec needs at least one key');
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.ring[0]!;
    return payloads.map((payload) => ({
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(id) },
      data: sealBytes(key, temporal.api.common.v1.Payload.encode(payload).finish(), AAD),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (!isEncrypted(payload)) return payload;
      const id = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!id) throw new Error(`an encrypted payload has no ${KEY_ID_METADATA}`);
      const plain = openBytes(keyById(this.ring, id, 'a payload'), payload.data ?? new Uint8Array(), AAD);
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}
