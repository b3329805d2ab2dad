import { createHash } from 'node:crypto';
import type { Config } from '../../lib/config';
import { esmImport } from '../../lib/esm-import';

type OpenIdClient = typeof import('openid-client');

/** What the browser needs to start a sign-in at the provider. */
export interface OidcStart {
  authorizationEndpoint: string;
  clientId: string;
  scope: string;
}

/** Who signed in, from the verified ID token: a user id the API accepts, and a name to greet them by. */
export interface OidcIdentity {
  userId: string;
  name: string;
}

/** What the browser sends after the provider redirected back: the callback URL it landed on, and the checks it kept. */
export interface OidcCallback {
  callbackUrl: URL;
  codeVerifier: string;
  state: string;
  nonce: string;
}

// User ids travel in paths, logs and Kafka keys (api/schemas/common.ts's Id); a subject outside that is hashed.
const USER_ID = /^[A-Za-z0-9._~:@+-]{1,100}$/;

/** The API's user id for an OIDC subject: the subject itself when it is a valid id, else a stable hash of issuer and subject. */
export const userIdForSubject = (issuer: string, sub: string): string =>
  USER_ID.test(sub) ? sub : `oidc-${createHash('sha256').update(`${issuer}\n${sub}`).digest('hex').slice(0, 32)}`;

/**
 * The storefront's OpenID Connect relying party (authorization code with PKCE): the browser makes
 * the verifier, state and nonce and goes to the provider; this side exchanges the code (with the
 * client secret, when there is one) and verifies the ID token. openid-client is loaded on first use.
 */
export function oidcRelyingParty(oidc: NonNullable<Config['storefront']['oidc']>) {
  let discovered: Promise<{ lib: OpenIdClient; server: import('openid-client').Configuration }> | undefined;
  const discover = () =>
    (discovered ??= (async () => {
      const lib = await esmImport<OpenIdClient>('openid-client');
      const issuer = new URL(oidc.issuer);
      // Plain HTTP only for a provider on this machine (a test's or a developer's); lib/config.ts refuses it elsewhere.
      const options = issuer.protocol === 'http:' ? { execute: [lib.allowInsecureRequests] } : undefined;
      const auth = oidc.clientSecret ? lib.ClientSecretPost(oidc.clientSecret) : lib.None();
      const server = await lib.discovery(issuer, oidc.clientId, oidc.clientSecret ? { client_secret: oidc.clientSecret } : undefined, auth, options);
      return { lib, server };
    })().catch((error: unknown) => {
      discovered = undefined; // the provider may be back next time
      throw error;
    }));

  return {
    /** The authorization endpoint and client id, from the provider's discovery document. */
    async start(): Promise<OidcStart> {
      const { server } = await discover();
      const endpoint = server.serverMetadata().authorization_endpoint;
      if (!endpoint) throw new Error(`the OIDC provider ${oidc.issuer} names no authorization_endpoint`);
      return { authorizationEndpoint: endpoint, clientId: oidc.clientId, scope: oidc.scope };
    },
    /** Exchanges the code for tokens and verifies the ID token (issuer, audience, nonce, PKCE, state). */
    async finish({ callbackUrl, codeVerifier, state, nonce }: OidcCallback): Promise<OidcIdentity> {
      const { lib, server } = await discover();
      const tokens = await lib.authorizationCodeGrant(server, callbackUrl, {
        pkceCodeVerifier: codeVerifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new Error('the OIDC provider returned no ID token');
      const nameOf = (c: Record<string, unknown>) => [c.name, c.preferred_username, c.email].find((v): v is string => typeof v === 'string' && v !== '');
      // Providers keep profile claims out of the ID token when an access token comes with it: ask userinfo then.
      let name = nameOf(claims);
      if (name === undefined && server.serverMetadata().userinfo_endpoint) {
        name = nameOf(await lib.fetchUserInfo(server, tokens.access_token, claims.sub));
      }
      name ??= claims.sub;
      return { userId: userIdForSubject(oidc.issuer, claims.sub), name };
    },
  };
}
