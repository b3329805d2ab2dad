// Follows an order live over GET /orders/:orderId/events (server-sent events). EventSource cannot send
// a bearer token, so the stream is read with fetch and parsed by eventsource-parser. Nothing polls:
// the server pushes each status change; after a dropped connection we reconnect, with a growing delay.
import { createParser } from 'eventsource-parser';
import { ApiError, authHeaders, problemSentence, type Order } from './api';

/** What the stream reports: each state of the order, and trouble (a sentence) or its end. */
export interface OrderStreamHandlers {
  onOrder(order: Order): void;
  onTrouble(message: string | null): void;
}

const FINAL = ['CONFIRMED', 'CANCELLED'];

/** Starts following; returns the function that stops. */
export function followOrder(orderId: string, { onOrder, onTrouble }: OrderStreamHandlers): () => void {
  const abort = new AbortController();
  let retryMs = 2000;
  let done = false;

  async function once(): Promise<void> {
    const response = await fetch(`/orders/${encodeURIComponent(orderId)}/events`, {
      headers: { accept: 'text/event-stream', ...authHeaders() },
      signal: abort.signal,
    });
    if (!response.ok || !response.body) {
      const problem = await response.json().catch(() => undefined);
      throw new ApiError(problemSentence(problem, response.status, response.headers.get('retry-after')), response.status);
    }
    onTrouble(null);
    const parser = createParser({
      onEvent(message) {
        if (message.event !== 'order') return;
        const order = JSON.parse(message.data) as Order;
        onOrder(order);
        if (FINAL.includes(order.status)) done = true;
      },
      onRetry(ms) {
        retryMs = ms;
      },
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      parser.feed(value);
    }
  }

  void (async () => {
    let delay = 0;
    while (!done && !abort.signal.aborted) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      try {
        await once();
        delay = retryMs; // the server ended a long stream: come back for the current state
      } catch (error) {
        if (abort.signal.aborted) return;
        const status = error instanceof ApiError ? error.status : 0;
        // Not found or not signed in will not get better by retrying.
        if (status === 401 || status === 403 || status === 404) {
          onTrouble((error as Error).message);
          return;
        }
        onTrouble(error instanceof ApiError ? error.message : 'The live status was interrupted; reconnecting…');
        delay = Math.min(Math.max(delay * 2, retryMs), 30_000);
      }
    }
  })();
  return () => abort.abort();
}
