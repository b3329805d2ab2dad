// A local OpenID Connect provider for the storefront's sign-in test: the `oidc-provider` package on
// 127.0.0.1, with one confidential client that must use PKCE, and its development login form (any
// name signs in). Run as a child process (the package is ES-module only):
//   node test/helpers/oidc-provider.mjs <port> <redirectUri> <clientId> <clientSecret>
// It prints "ready" on stdout once it listens.
/* global process, console */
import Provider from 'oidc-provider';

const [port, redirectUri, clientId, clientSecret] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  // The storefront sends a code challenge; refusing a request without one proves it does.
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name'] },
  findAccount: async (_ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, name: `${id[0].toUpperCase()}${id.slice(1)} (OIDC)` }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['storefront-test-only-cookie-key'] },
});
provider.proxy = false;
// Quiet: the test reads only "ready"; warnings about development keys and plain HTTP are expected here.
process.removeAllListeners('warning');
provider.listen(Number(port), '127.0.0.1', () => console.log('ready'));
