// Small hooks the pages share: the session, and an API call's state.
import { useEffect, useState } from 'preact/hooks';
import { currentSession, onSessionChange, type Session } from './session';

/** The signed-in customer, re-rendered on sign-in and sign-out. */
export function useSession(): Session | null {
  const [session, setSession] = useState(currentSession);
  useEffect(() => onSessionChange(() => setSession(currentSession())), []);
  return session;
}

/** What a load is doing: the value, or the sentence of its failure. */
export interface Loaded<T> {
  value: T | undefined;
  error: string | null;
  loading: boolean;
}

/** Runs load whenever a dependency changes; a newer load wins over an older one still in flight. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> & { reload: () => void } {
  const [state, setState] = useState<Loaded<T>>({ value: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => current && setState({ value, error: null, loading: false }),
      (error: unknown) => current && setState({ value: undefined, error: (error as Error).message, loading: false }),
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
