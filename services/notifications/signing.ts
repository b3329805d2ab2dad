import { createHmac, randomBytes } from 'node:crypto';
import { webhookSecretBytes, type Config } from '../../lib/config';
import { secretFile } from '../../lib/secret-file';

// Standard Webhooks (standardwebhooks.com): the receiver recomputes HMAC-SHA256 over
// `<webhook-id>.<webhook-timestamp>.<body>` with the shared secret and compares it with webhook-signature.

/** The headers of one signed delivery. */
export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** Signs a body as Standard Webhooks does: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` with the secret's bytes. */
export function signWebhook(secret: Buffer, id: string, timestampSeconds: number, body: string): SignedHeaders {
  const signature = createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${signature}` };
}

/** A fresh Standard Webhooks secret: whsec_ and the base64 of 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

/** The configured signing secret, or one generated once into the data folder (local use: replicas must share a configured one). */
export function webhookSigningSecret(config: Config): Buffer {
  const secret = config.notifications.webhook.secret ?? secretFile(config.dataDir, 'webhook-secret', newWebhookSecret);
  const bytes = webhookSecretBytes(secret);
  if (!bytes) throw new Error(`the webhook secret in ${config.dataDir}/webhook-secret is not whsec_<base64>; delete it to have a new one generated`);
  return bytes;
}
