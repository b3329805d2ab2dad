import { Type } from 'typebox';

/** One Temporal payload as the codec-server protocol carries it: metadata values and data in base64. */
export const CodecPayloadSchema = Type.Object(
  {
    metadata: Type.Optional(Type.Record(Type.String(), Type.String({ description: 'base64' }))),
    data: Type.Optional(Type.String({ description: 'base64' })),
  },
  { $id: 'CodecPayload', description: 'A Temporal payload: metadata (encoding, encryption-key-id, ...) and data, each value base64' },
);

/** The body of POST /codec/encode and /codec/decode, and their answer. */
export const CodecPayloadsSchema = Type.Object(
  { payloads: Type.Array(CodecPayloadSchema, { maxItems: 1000 }) },
  { $id: 'CodecPayloads', description: 'Payloads, in order: the answer has one for each payload sent' },
);
