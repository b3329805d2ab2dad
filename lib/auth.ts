import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner } from 'fast-jwt';
import type { Config } from './config';

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
export const JWT_ALGORITHM = 'HS256';

/** The claims petstore puts in a token (iat is added by the signer). */
export interface TokenClaims {
  iss: string;
  aud: string;
  sub?: string;
  role: Role;
  iat: number;
  exp: number;
}

// Shorter secrets are guessable offline from any one token, so a hand-written short one is refused.
const MIN_SECRET_LENGTH = 32;

/**
 * The HS256 secret: config.auth.jwtSecret, else `<dataDir>/jwt-secret`, created once (48 random
 * bytes, base64url, mode 0600). Creation is atomic, so the API server and the CLI can race for it.
 */
export function jwtSecret(config: Config): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
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

/** What issueToken needs: the role, the user id (required for customers) and how long the token lives. */
export interface TokenRequest {
  role: Role;
  userId?: string;
  ttlSeconds: number;
}

/** Signs a bearer token for the API (HS256, with iss, aud, iat, exp, sub and role claims). */
export function issueToken(config: Config, { role, userId, ttlSeconds }: TokenRequest): string {
  if (!isRole(role)) throw new Error(`unknown role "${String(role)}" (choose from ${ROLES.join(', ')})`);
  if (role === ROLE.customer && !userId) throw new Error('a customer token needs a user id');
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`ttlSeconds must be a whole number of at least 1, got ${ttlSeconds}`);
  const sign = createSigner({
    key: jwtSecret(config),
    algorithm: JWT_ALGORITHM,
    iss: config.auth.issuer,
    aud: config.auth.audience,
    expiresIn: ttlSeconds * 1000,
    ...(userId ? { sub: userId } : {}),
  });
  return sign({ role });
}
