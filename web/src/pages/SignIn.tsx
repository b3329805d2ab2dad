import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api } from '../api';
import { ErrorMessage, PageTitle } from '../components';
import { useLoad } from '../hooks';
import { devSignIn, finishOidcSignIn, startOidcSignIn, type SignInOptions } from '../session';

// Only our own pages may be a destination after sign-in (no open redirect).
const safeReturn = (to: string | undefined): string => (to && /^\/shop(\/|$)/.test(to) ? to : '/shop');

/** Sign-in: with the shop's identity provider (OpenID Connect), or the dev sign-in on the local stack. */
export function SignIn() {
  const { query, route } = useLocation();
  const returnTo = safeReturn(query.returnTo);
  const options = useLoad(() => api<SignInOptions>('GET', '/shop/auth/config'), []);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="sign-in-title">
      <PageTitle title="Sign in">
        <span id="sign-in-title">Sign in</span>
      </PageTitle>
      <ErrorMessage message={options.error ?? error} />
      {options.value?.oidc && (
        <p>
          <button type="button" disabled={busy} onClick={() => void run(() => startOidcSignIn(options.value!.oidc!, options.value!.callbackPath, returnTo))}>
            Sign in with your account
          </button>
        </p>
      )}
      {options.value?.devLogin && (
        <form
          class="inline"
          aria-labelledby="dev-title"
          onSubmit={(e) => {
            e.preventDefault();
            void run(async () => {
              await devSignIn(name.trim());
              route(returnTo);
            });
          }}
        >
          <h2 id="dev-title">Dev sign-in (local stack)</h2>
          <label>
            Your name
            <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} required autoComplete="username" pattern="[A-Za-z0-9._~:@+\-]+" title="Letters, digits and . _ ~ : @ + -" />
          </label>
          <button type="submit" disabled={busy}>
            Sign in
          </button>
        </form>
      )}
      {options.value && !options.value.oidc && !options.value.devLogin && <p>Sign-in is not set up on this server.</p>}
    </section>
  );
}

/** Where the identity provider sends the browser back: finishes the sign-in, then returns to where it started. */
export function SignInCallback() {
  const { route } = useLocation();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    finishOidcSignIn().then(
      (to) => route(safeReturn(to), true),
      (failure: unknown) => setError((failure as Error).message),
    );
  }, []);
  return (
    <section>
      <PageTitle title="Signing in">Signing you in…</PageTitle>
      <ErrorMessage message={error} />
      {error && (
        <p>
          <a href="/shop/sign-in">Try again</a>
        </p>
      )}
    </section>
  );
}
