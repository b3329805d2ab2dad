import fastifyJwt from '@fastify/jwt';
import type { FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { IAT_SKEW_SECONDS, ROLE, isRole, maxTtlSeconds, type Role } from '../../lib/auth';
import type { Config } from '../../lib/config';
import { HttpProblem } from './errors';
import { verificationKeys } from './token-keys';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `'public'`: anyone may call the route and no token is looked at. */
    access?: 'public';
    /** The roles that may call the route; admin also passes where support does. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    /** The verified caller of a route with roles; null on public routes. */
    principal: Principal | null;
  }
}

/** The caller, from a verified token: its role and, for customers always, its user id (the `sub` claim). */
export interface Principal {
  role: Role;
  userId?: string;
}

/** Whether a role may call a route that allows `allowed`; admin counts as support. */
export function roleAllows(role: Role, allowed: readonly Role[]): boolean {
  return allowed.includes(role) || (role === ROLE.admin && allowed.includes(ROLE.support));
}

/** Support and admin see every customer's orders, payments and notifications. */
export const isStaff = (principal: Principal): boolean => principal.role === ROLE.support || principal.role === ROLE.admin;

/** Whether the caller may see what belongs to `ownerId`: staff see everything, a customer only their own. */
export const mayAccess = (principal: Principal, ownerId: string): boolean =>
  isStaff(principal) || (principal.role === ROLE.customer && principal.userId !== undefined && principal.userId === ownerId);

/** The caller of a route with roles (the access hook has verified it before any handler runs). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`${request.method} ${request.routeOptions.url ?? request.url} is public: it has no principal`);
  return request.principal;
}

/** Refuses, at startup, a route that does not say who may call it: a forgotten declaration must fail tests, not open a hole. */
export function assertAccessDeclared(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): void {
  const { access, roles } = route.config ?? {};
  const where = `${String(route.method)} ${route.url}`;
  if (access !== undefined && access !== 'public') throw new Error(`${where}: config.access must be 'public', got ${JSON.stringify(access)}`);
  if (access === 'public' && roles !== undefined) throw new Error(`${where}: declares both access 'public' and roles; choose one`);
  if (access === undefined) {
    if (!Array.isArray(roles) || roles.length === 0) {
      throw new Error(`${where} declares no access: add config: { access: 'public' } or config: { roles: [...] }`);
    }
    const unknown = roles.filter((role) => !isRole(role));
    if (unknown.length > 0) throw new Error(`${where}: unknown role(s) ${unknown.join(', ')}`);
  }
}

const unauthenticated = (detail: string, error?: 'invalid_token') =>
  new HttpProblem(401, detail, { headers: { 'www-authenticate': `Bearer realm="petstore"${error ? `, error="${error}"` : ''}` } });

async function authenticate(request: FastifyRequest): Promise<Principal> {
  if (!request.headers.authorization) throw unauthenticated('This route needs a bearer token (Authorization: Bearer <token>).');
  let claims: Record<string, unknown>;
  try {
    claims = await request.jwtVerify<Record<string, unknown>>();
  } catch (error) {
    // Every verification failure is the same 401 to the caller; the reason is for our logs only.
    request.log.debug({ reason: (error as Error).message, code: (error as { code?: string }).code }, 'bearer token refused');
    const expired = (error as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
    throw unauthenticated(expired ? 'The bearer token has expired.' : 'The bearer token is not valid.', 'invalid_token');
  }
  const { role, sub, iat } = claims;
  if (!isRole(role)) throw unauthenticated('The bearer token carries no known role.', 'invalid_token');
  // Every token names who it speaks for (staff too, so the audit names a person); the verifier has already required the claim.
  if (typeof sub !== 'string' || sub === '') throw unauthenticated('The bearer token must name who it is for (sub).', 'invalid_token');
  // A token "issued" in the future would outlive the lifetime cap, which counts from iat.
  if (typeof iat !== 'number' || iat > Date.now() / 1000 + IAT_SKEW_SECONDS) throw unauthenticated('The bearer token has an issue time in the future.', 'invalid_token');
  return { role, userId: sub };
}

/** What the auth plugin needs: the configuration holding the secret, issuer and audience. */
export interface AuthPluginOptions {
  config: Config;
}

/**
 * JWT bearer auth and the one access check. Routes declare `config.access: 'public'` or
 * `config.roles`; routes registered after this plugin without either make startup fail.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app, { config }) => {
    const keys = verificationKeys(config);
    await app.register(fastifyJwt, {
      secret: keys.secret,
      // The key is chosen by the token's header (alg, kid): the key function needs the whole decoded token.
      decode: { complete: true },
      verify: {
        // Pinned: HS256 with our secret, and RS256/ES256 only from the configured JWKS; any other (none, HS512,
        // RS256 with our secret as a "public key") is refused.
        algorithms: keys.algorithms,
        allowedIss: config.auth.issuer,
        allowedAud: config.auth.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
        // The lifetime cap, counted from iat: a token minted for a century still dies after JWT_MAX_TTL.
        maxAge: maxTtlSeconds(config), // seconds, as @fastify/jwt takes a number
      },
    });
    app.decorateRequest('principal', null);

    app.addHook('onRoute', assertAccessDeclared);

    app.addHook('onRequest', async (request) => {
      if (request.is404) return; // the not-found handler answers 404 for anyone
      const { access, roles } = request.routeOptions.config;
      if (access === 'public') return;
      const principal = await authenticate(request);
      // A route without roles can only be one registered before this plugin: refuse rather than guess.
      if (!roles || !roleAllows(principal.role, roles)) {
        throw new HttpProblem(403, `The ${principal.role} role may not ${request.method} ${request.routeOptions.url ?? request.url}.`);
      }
      request.principal = principal;
    });
  },
  { name: 'petstore-auth', fastify: '5.x', dependencies: ['petstore-errors'] },
);
