import type { FastifyJWTOptions, TokenOrHeader } from '@fastify/jwt';
import type { Algorithm } from 'fast-jwt';
import type { FastifyRequest } from 'fastify';
import buildGetJwks from 'get-jwks';
import { JWKS_ALGORITHMS, JWT_ALGORITHM, jwtSecret } from '../../lib/auth';
import type { Config } from '../../lib/config';

/** The keys and algorithms the API verifies bearer tokens with. */
export interface VerificationKeys {
  secret: FastifyJWTOptions['secret'];
  algorithms: Algorithm[];
}

type Header = { alg?: string; kid?: string };

/**
 * HS256 with the shared secret, and, with JWT_JWKS_URL, RS256/ES256 with the identity provider's public
 * keys (fetched by kid, cached, refetched for an unknown kid). Without a JWKS the secret is required
 * (jwtSecret refuses to make one outside the local stack); with one, HS256 is accepted only if
 * JWT_SECRET is set, so a deployment behind an identity provider needs no shared secret at all.
 */
export function verificationKeys(config: Config): VerificationKeys {
  const jwksUrl = config.auth.jwksUrl;
  if (!jwksUrl) return { secret: jwtSecret(config), algorithms: [JWT_ALGORITHM] };

  const url = new URL(jwksUrl);
  const jwks = buildGetJwks({ jwksPath: `${url.pathname}${url.search}`, max: 100, ttl: 10 * 60_000 });
  const domain = url.origin;
  const hmacSecret = config.auth.jwtSecret;
  const asymmetric: readonly string[] = JWKS_ALGORITHMS;
  return {
    algorithms: [...(hmacSecret ? [JWT_ALGORITHM] : []), ...JWKS_ALGORITHMS],
    secret: async (_request: FastifyRequest, tokenOrHeader: TokenOrHeader): Promise<string> => {
      const header = ('header' in tokenOrHeader ? tokenOrHeader.header : tokenOrHeader) as Header;
      // Each algorithm gets only its own kind of key: the HMAC secret never verifies an RS/ES token, nor a public key an HS one.
      if (header.alg === JWT_ALGORITHM && hmacSecret) return hmacSecret;
      if (header.alg && asymmetric.includes(header.alg) && header.kid) return jwks.getPublicKey({ domain, alg: header.alg, kid: header.kid });
      throw new Error(`no key for a token with alg ${String(header.alg)} and ${header.kid ? 'a' : 'no'} kid`);
    },
  };
}
