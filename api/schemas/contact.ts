import { Type } from 'typebox';
import { Timestamp, nullable } from './common';

const Channels = {
  email: Type.Boolean({ description: 'order confirmations, cancellations, declined payments and refunds by email' }),
  webhook: Type.Boolean({ description: 'notifications on your webhook, when one is set' }),
};

/** The customer's contact profile as GET /me/contact shows it. */
export const ContactViewSchema = Type.Object({
  email: Type.String({ format: 'email' }),
  name: nullable(Type.String()),
  channels: Type.Object(Channels),
  updatedAt: Timestamp,
});

/** PUT /me/contact: the whole profile; channels left out keep their value (both on for a new profile). */
export const ContactBodySchema = Type.Object(
  {
    email: Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'where petstore sends your emails' }),
    name: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: 'how emails greet you' }))),
    channels: Type.Optional(Type.Object({ email: Type.Optional(Channels.email), webhook: Type.Optional(Channels.webhook) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
