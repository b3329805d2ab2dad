import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner } from 'fast-jwt';
import { ConfigError, MIN_JWT_SECRET_BYTES, type Config } from './config';

/** Who a bearer token speaks for. */
export const ROLE = {
  /** A shopper: sees and acts on only their own orders, payments and notifications (needs a user id). */
  customer: 'customer',
  /** Support staff: reads every order and may cancel any of them. */
  support: 'support',
  /** An administrator: everything support may do, plus writes to the pet catalogue. */
  admin: 'admin',
  /** Another petstore process, for the internal notification API. */
  service: 'service',
} as const;
/** One of ROLE. */
export type Role = (typeof ROLE)[keyof typeof ROLE];
/** Every role, in the order help texts list them. */
export const ROLES: readonly Role[] = Object.values(ROLE);

/** Whether a string names a role. */
export const isRole = (value: unknown): value is Role => typeof value === 'string' && (ROLES as readonly string[]).includes(value);

/** The only signing algorithm petstore issues or accepts: the verifier pins it, so `alg: none` and key confusion cannot get in. */
export const JWT_ALGORITHM = 'HS256' as const;

/** Algorithms accepted from an identity provider's JWKS (JWT_JWKS_URL): asymmetric only, so a public key can never act as an HMAC secret. */
export const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;

/** How far ahead of our clock a token's iat may be (clock drift between the issuer and us); more is refused. */
export const IAT_SKEW_SECONDS = 60;

/** The lifetime cap when a hand-built config has none: the same as JWT_MAX_TTL's default. */
export const DEFAULT_MAX_TTL_SECONDS = 24 * 3600;

/** The longest lifetime a token may have: on issue and, from its iat, on verify. */
export const maxTtlSeconds = (config: Config): number => config.auth.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;

// Shorter secrets are guessable offline from any one token, so a hand-written short one is refused.
const MIN_SECRET_LENGTH = MIN_JWT_SECRET_BYTES;

/**
 * The HS256 secret: config.auth.jwtSecret, else, on the local stack only, `<dataDir>/jwt-secret`,
 * created once (48 random bytes, base64url, mode 0600). Creation is atomic, so the API server and
 * the CLI can race for it. Anywhere else each host would make its own secret (replicas would refuse
 * each other's tokens), so a missing JWT_SECRET stops the process.
 */
export function jwtSecret(config: Config): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  if (config.auth.localSecretAllowed === false) {
    throw new ConfigError(
      `JWT_SECRET is required outside the local stack (DATABASE_URL, KAFKA_BROKERS or TEMPORAL_ADDRESS is set): give every API and CLI the same secret of at least ${MIN_JWT_SECRET_BYTES} bytes`,
    );
  }
  const file = join(config.dataDir, 'jwt-secret');
  mkdirSync(config.dataDir, { recursive: true });
  // Written under a private name, then linked into place: link() fails if the file exists, so the
  // first writer wins and no reader ever sees a half-written secret.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(draft, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(`${file} holds a secret shorter than ${MIN_SECRET_LENGTH} characters; delete it to have a new one generated`);
  }
  return secret;
}

/** What issueToken needs: the role, who the token is for (the sub claim, every role) and how long it lives. */
export interface TokenRequest {
  role: Role;
  userId: string;
  ttlSeconds: number;
}

/** Signs a bearer token for the API (HS256, with iss, aud, iat, exp, sub and role claims); the lifetime is capped by JWT_MAX_TTL. */
export function issueToken(config: Config, { role, userId, ttlSeconds }: TokenRequest): string {
  if (!isRole(role)) throw new Error(`unknown role "${String(role)}" (choose from ${ROLES.join(', ')})`);
  if (!userId) throw new Error(role === ROLE.customer ? 'a customer token needs a user id' : `a ${role} token needs a user id too (the audit names a person)`);
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`ttlSeconds must be a whole number of at least 1, got ${ttlSeconds}`);
  if (ttlSeconds > maxTtlSeconds(config)) throw new Error(`ttlSeconds ${ttlSeconds} is longer than JWT_MAX_TTL (${maxTtlSeconds(config)} s)`);
  const sign = createSigner({
    key: jwtSecret(config),
    algorithm: JWT_ALGORITHM,
    iss: config.auth.issuer,
    aud: config.auth.audience,
    expiresIn: ttlSeconds * 1000,
    sub: userId,
  });
  return sign({ role });
}
