import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { UnprocessableError } from '../../lib/errors';
import { AUTH_PROBLEMS, jsonResponse, problemResponse, problemResponses } from '../schemas/common';
import { CodecPayloadsSchema } from '../schemas/codec';
import { supportOnly } from './support';

/** What the codec server needs: the payload codec (the workers' own) and the origins of the Temporal UIs that call it. */
export interface CodecRoutesOptions {
  codec: () => PayloadCodec;
  corsOrigins: readonly string[];
}

/** A history page's payloads can be large: Temporal allows 2 MiB per payload; the rest of the API keeps its 64 KiB. */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;

/** The cookie a browser keeps a staff token in for the Temporal UI's codec calls (the local UI cannot send a bearer token). */
export const CODEC_COOKIE = 'petstore_codec';

/** The value of one cookie in a Cookie header, if present. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Before authentication: a codec call without an Authorization header but with the codec cookie is
 * authenticated by the token in the cookie, exactly as a bearer token (same checks, same roles).
 */
export const codecCookieAuth = fp(
  async (app) => {
    app.addHook('onRequest', async (request) => {
      if (request.headers.authorization || request.method !== 'POST' || !/^\/codec\/(decode|encode)$/.test(request.url.split('?', 1)[0] ?? '')) return;
      const token = cookieValue(request.headers.cookie, CODEC_COOKIE);
      if (token) request.headers.authorization = `Bearer ${token}`;
    });
  },
  { name: 'petstore-codec-cookie' },
);

const SESSION_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>petstore: Temporal UI codec sign-in</title></head>
<body>
<h1>Decode payloads in the Temporal UI</h1>
<p>Paste a support or admin token (<code>petstore auth token --role support</code>). It is kept in a cookie for this
API's <code>/codec</code> only; in the Temporal UI's codec server settings, switch on
<em>Include cross-origin credentials</em>.</p>
<form method="post" action="/codec/session">
<label>Token <input name="token" type="password" autocomplete="off" required></label>
<button type="submit">Use this token</button>
</form>
</body></html>
`;

type WirePayload = { metadata?: Record<string, string>; data?: string };

const fromWire = ({ metadata, data }: WirePayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(data ?? '', 'base64'),
});
const toWire = ({ metadata, data }: Payload): WirePayload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

/**
 * The Temporal codec server (POST /codec/decode, /codec/encode): the Temporal UI and CLI send the
 * payloads they show and get them back decoded. Staff only (support, admin), and callable from the
 * Temporal UI's origin (CORS) with the bearer token the UI passes.
 */
export const codecRoutes: FastifyPluginAsyncTypebox<CodecRoutesOptions> = async (app, { codec, corsOrigins }) => {
  const allowCors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (origin === undefined || !corsOrigins.includes(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
    reply.header('vary', 'Origin');
  };
  // On every answer, refusals (401, 403) included: without the headers the UI only sees "network error".
  app.addHook('onSend', async (request, reply, payload) => {
    allowCors(request, reply);
    return payload;
  });

  // The sign-in form posts urlencoded; only this plugin's routes take that type.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  app.get('/codec/session', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(SESSION_PAGE),
  );
  app.post(
    '/codec/session',
    {
      // The token is checked where it is used, on each codec call, exactly as a bearer token; here it is only kept.
      config: { access: 'public' },
      schema: { hide: true, body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 8192, pattern: '^[A-Za-z0-9._-]+$' }) }) },
    },
    async (request, reply) => {
      const https = request.protocol === 'https';
      // Over https the UI may be on another site (Temporal Cloud's): SameSite=None needs Secure. Over http (the
      // local stack) the UI is on the same host, another port: the same site, so Strict is enough.
      const attributes = ['Path=/codec', 'HttpOnly', `Max-Age=${8 * 3600}`, https ? 'SameSite=None; Secure' : 'SameSite=Strict'];
      reply.header('set-cookie', `${CODEC_COOKIE}=${encodeURIComponent(request.body.token)}; ${attributes.join('; ')}`);
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>petstore</title></head><body><p>Saved. The Temporal UI now decodes payloads through this API (if the token is a support or admin token).</p></body></html>\n');
    },
  );

  for (const direction of ['decode', 'encode'] as const) {
    const url = `/codec/${direction}`;
    app.options(url, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    });
    app.post(
      url,
      {
        config: supportOnly,
        bodyLimit: CODEC_BODY_LIMIT_BYTES,
        schema: {
          tags: ['codec'],
          operationId: direction === 'decode' ? 'decodePayloads' : 'encodePayloads',
          summary:
            direction === 'decode'
              ? 'Decrypt Temporal payloads for the Temporal UI or CLI (codec server; payloads not encrypted come back as sent)'
              : 'Encrypt Temporal payloads as the workers do (codec server)',
          body: CodecPayloadsSchema,
          response: {
            200: jsonResponse(direction === 'decode' ? 'The payloads, decrypted' : 'The payloads, encrypted', CodecPayloadsSchema),
            ...problemResponses(400, ...AUTH_PROBLEMS, 413, 415, 429),
            422: problemResponse('A payload is encrypted with a key this deployment does not have, or was altered'),
          },
        },
      },
      async (request) => {
        const payloads = (request.body.payloads as WirePayload[]).map(fromWire);
        try {
          const done = direction === 'decode' ? await codec().decode(payloads) : await codec().encode(payloads);
          return { payloads: done.map(toWire) };
        } catch (error) {
          request.log.warn({ err: error }, 'codec server could not decode a payload');
          throw new UnprocessableError('a payload could not be decrypted: it names a key this deployment does not have, or it was altered');
        }
      },
    );
  }
};
