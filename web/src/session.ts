// Who is signed in: the bearer token the storefront's sign-in minted, kept for this tab only
// (sessionStorage), with listeners so the header updates when it changes or expires.
import * as oauth from 'oauth4webapi';
import { api } from './api';

/** A signed-in customer. */
export interface Session {
  token: string;
  userId: string;
  name: string;
  /** Epoch milliseconds after which the API refuses the token. */
  expiresAt: number;
}

const KEY = 'petstore.session';
const OIDC_KEY = 'petstore.oidc';
const listeners = new Set<() => void>();

/** The current session, or null when signed out or expired. */
export function currentSession(): Session | null {
  try {
    const session = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

/** Calls listener on every sign-in and sign-out; returns the unsubscribe function. */
export function onSessionChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function save(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
  for (const listener of listeners) listener();
}

/** Forgets the token. */
export const signOut = (): void => save(null);

/** What the server says about sign-in: whether the dev sign-in is on, and the OIDC provider's endpoint. */
export interface SignInOptions {
  devLogin: boolean;
  oidc: { authorizationEndpoint: string; clientId: string; scope: string } | null;
  callbackPath: string;
}

interface Minted {
  token: string;
  userId: string;
  name: string;
  expiresIn: number;
}

// api.ts imports this module too; the cycle is safe because neither uses the other while loading.
const post = <T>(path: string, body: unknown): Promise<T> => api<T>('POST', path, { body });

const keep = (minted: Minted) => save({ token: minted.token, userId: minted.userId, name: minted.name, expiresAt: Date.now() + minted.expiresIn * 1000 });

/** The dev sign-in (local stack only): a customer token for any name. */
export async function devSignIn(name: string): Promise<void> {
  keep(await post<Minted>('/shop/auth/dev', { name }));
}

/** Starts an OpenID Connect sign-in (authorization code with PKCE): keeps the checks for this tab and goes to the provider. */
export async function startOidcSignIn(options: NonNullable<SignInOptions['oidc']>, callbackPath: string, returnTo: string): Promise<void> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(OIDC_KEY, JSON.stringify({ codeVerifier, state, nonce, returnTo }));
  const url = new URL(options.authorizationEndpoint);
  url.searchParams.set('client_id', options.clientId);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', options.scope);
  url.searchParams.set('redirect_uri', new URL(callbackPath, location.origin).toString());
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  location.assign(url.toString());
}

/** Finishes an OIDC sign-in on the callback page: the server exchanges the code and mints our token. Returns where to go next. */
export async function finishOidcSignIn(): Promise<string> {
  const kept = JSON.parse(sessionStorage.getItem(OIDC_KEY) ?? 'null') as { codeVerifier: string; state: string; nonce: string; returnTo: string } | null;
  sessionStorage.removeItem(OIDC_KEY);
  const params = new URLSearchParams(location.search);
  if (params.get('error')) throw new Error(`The sign-in provider said no: ${params.get('error_description') ?? params.get('error')}.`);
  if (!kept) throw new Error('This sign-in was not started in this tab; please sign in again.');
  keep(await post<Minted>('/shop/auth/oidc/token', { callbackUrl: location.href, codeVerifier: kept.codeVerifier, state: kept.state, nonce: kept.nonce }));
  return kept.returnTo;
}
