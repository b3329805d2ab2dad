import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { issueToken, ROLE } from '../../lib/auth';
import { projectRoot, type Config } from '../../lib/config';
import { HttpProblem } from '../plugins/errors';
import { Id } from '../schemas/common';
import { oidcRelyingParty } from './storefront-oidc';

/** Where the storefront lives: its pages, its assets and its sign-in endpoints. */
export const STOREFRONT_PREFIX = '/shop';
/** The built web app (scripts/build-web.js writes it). */
export const WEB_ROOT = join(projectRoot, 'dist', 'web');
/** Where the OIDC provider sends the browser back; register it at the provider with the storefront's origin. */
export const OIDC_CALLBACK_PATH = `${STOREFRONT_PREFIX}/auth/callback`;

/**
 * The storefront's pages work under a strict policy: scripts and styles from our origin only, no inline code,
 * fetch to our origin only. Sent unless a security header plugin has already set one.
 */
export const STOREFRONT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** Hashed file names never change content: a year, immutable. The page itself is revalidated on every load. */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

const MEDIA_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The built assets, read once at start: a handful of files fixed by the build, so they are served from
 * memory (no file system access per request, and no path from a request ever reaches the disk).
 */
function readAssets(): Map<string, { body: Buffer; type: string }> {
  const dir = join(WEB_ROOT, 'assets');
  const assets = new Map<string, { body: Buffer; type: string }>();
  if (!existsSync(dir)) return assets;
  for (const file of readdirSync(dir)) assets.set(file, { body: readFileSync(join(dir, file)), type: MEDIA_TYPES[extname(file)] ?? 'application/octet-stream' });
  return assets;
}

const DevLoginBody = Type.Object({ name: Id }, { additionalProperties: false });
const OidcTokenBody = Type.Object(
  {
    callbackUrl: Type.String({ minLength: 1, maxLength: 4000 }),
    codeVerifier: Type.String({ minLength: 43, maxLength: 128, pattern: '^[A-Za-z0-9._~-]+$' }),
    state: Type.String({ minLength: 1, maxLength: 200 }),
    nonce: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

/** What the storefront needs: the configuration (sign-in settings, token secret). */
export interface StorefrontOptions {
  config: Config;
}

/**
 * The storefront web app at /shop: index.html for every page path (the app routes in the browser),
 * hashed assets, and the sign-in endpoints that mint a customer token: the dev sign-in (when
 * enabled) and the OIDC code exchange. None of it is part of the OpenAPI document.
 */
export const storefrontRoutes: FastifyPluginAsyncTypebox<StorefrontOptions> = async (app, { config }) => {
  const publicRoute = { access: 'public' } as const;
  const indexFile = join(WEB_ROOT, 'index.html');
  const index = existsSync(indexFile) ? readFileSync(indexFile) : undefined;
  const assets = readAssets();
  const oidc = config.storefront.oidc ? oidcRelyingParty(config.storefront.oidc) : undefined;
  const ttlSeconds = config.storefront.sessionTtlSeconds;

  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', STOREFRONT_CSP);
    if (!reply.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
    return payload;
  });

  const page = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    if (!index) throw new HttpProblem(503, 'The storefront is not built on this server: run `node scripts/build-web.js` (npm start and npm test do it).');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  for (const url of [STOREFRONT_PREFIX, `${STOREFRONT_PREFIX}/`, `${STOREFRONT_PREFIX}/*`]) {
    app.get(url, { config: publicRoute, schema: { hide: true } }, page);
  }

  app.get<{ Params: { file: string } }>(
    `${STOREFRONT_PREFIX}/assets/:file`,
    { config: publicRoute, schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 200 }) }) } },
    async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset) throw new HttpProblem(404, `${request.url} is not a storefront asset.`);
      // The name carries the content hash: it is the validator too.
      return reply.type(asset.type).header('cache-control', ASSET_CACHE).header('etag', `"${request.params.file}"`).send(asset.body);
    },
  );

  app.get(`${STOREFRONT_PREFIX}/auth/config`, { config: publicRoute, schema: { hide: true } }, async (request, reply) => {
    let start = null;
    if (oidc) {
      try {
        start = await oidc.start();
      } catch (error) {
        request.log.warn({ err: (error as Error).message }, 'storefront: OIDC discovery failed');
        throw new HttpProblem(503, 'The sign-in provider cannot be reached right now; try again in a moment.', { headers: { 'retry-after': '10' } });
      }
    }
    return reply.header('cache-control', 'no-store').send({ devLogin: config.storefront.devLogin, oidc: start, callbackPath: OIDC_CALLBACK_PATH });
  });

  app.post(`${STOREFRONT_PREFIX}/auth/dev`, { config: publicRoute, schema: { hide: true, body: DevLoginBody } }, async (request, reply) => {
    if (!config.storefront.devLogin) throw new HttpProblem(404, 'The dev sign-in is off on this server (STOREFRONT_DEV_LOGIN=on turns it on, on the local stack only).');
    const { name } = request.body;
    const token = issueToken(config, { role: ROLE.customer, userId: name, ttlSeconds });
    return reply.header('cache-control', 'no-store').send({ token, userId: name, name, expiresIn: ttlSeconds });
  });

  app.post(`${STOREFRONT_PREFIX}/auth/oidc/token`, { config: publicRoute, schema: { hide: true, body: OidcTokenBody } }, async (request, reply) => {
    if (!oidc) throw new HttpProblem(404, 'OpenID Connect sign-in is not set up on this server (OIDC_ISSUER and OIDC_CLIENT_ID).');
    let callbackUrl: URL;
    try {
      callbackUrl = new URL(request.body.callbackUrl);
    } catch {
      throw new HttpProblem(400, 'callbackUrl is not a URL.', { errors: [{ path: '/body/callbackUrl', message: 'is not a URL' }] });
    }
    if (callbackUrl.pathname !== OIDC_CALLBACK_PATH) {
      throw new HttpProblem(400, `callbackUrl must be the storefront's ${OIDC_CALLBACK_PATH}.`, { errors: [{ path: '/body/callbackUrl', message: `must end in ${OIDC_CALLBACK_PATH}` }] });
    }
    let identity;
    try {
      identity = await oidc.finish({ ...request.body, callbackUrl });
    } catch (error) {
      // The provider's reason is for our logs; the customer is asked to sign in again.
      request.log.warn({ err: (error as Error).message }, 'storefront: OIDC sign-in refused');
      throw new HttpProblem(401, 'The sign-in could not be completed; please sign in again.');
    }
    const token = issueToken(config, { role: ROLE.customer, userId: identity.userId, ttlSeconds });
    return reply.header('cache-control', 'no-store').send({ token, userId: identity.userId, name: identity.name, expiresIn: ttlSeconds });
  });
};
