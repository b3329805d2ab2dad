import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { pgConnection } from '../../db/connection';
import { ORDER_STATUS_CHANNEL } from '../../db/migrations/20261202050000_order_status_notify';
import type { Config } from '../../lib/config';
import type { Logger } from '../../lib/logger';

/** Committed status changes of orders, as the order event streams of the API follow them. */
export interface OrderStatusFeed {
  /**
   * Calls onChange after every committed status change of the order (and once after the feed
   * reconnected, as a change may have been missed meanwhile) until the returned function is called.
   * Resolves once the feed listens, so a change committed after that is never missed.
   */
  subscribe(orderId: string, onChange: () => void): Promise<() => void>;
  /** Closes the LISTEN connection; later subscriptions fail. */
  close(): Promise<void>;
}

const RECONNECT_DELAY_MS = 1000;

/**
 * One Postgres LISTEN connection per process, opened on the first subscription, fanned out to the
 * subscribers of each order: a stream costs nothing until its order changes, and nothing polls.
 */
export function createOrderStatusFeed({ config, logger }: { config: Config; logger: Logger }): OrderStatusFeed {
  const subscribers = new Map<string, Set<() => void>>();
  let ready: Promise<void> | undefined;
  let client: Client | undefined;
  let closed = false;

  const notifyAll = () => {
    for (const listeners of subscribers.values()) for (const listener of listeners) listener();
  };

  async function connect(): Promise<void> {
    const next = new Client(pgConnection(config));
    next.on('notification', (message) => {
      for (const listener of subscribers.get(message.payload ?? '') ?? []) listener();
    });
    next.on('error', (error) => logger.warn({ err: error.message }, 'order status feed: connection failed'));
    next.on('end', () => {
      if (client !== next || closed) return;
      client = undefined;
      void reconnect();
    });
    await next.connect();
    await next.query(`listen ${ORDER_STATUS_CHANNEL}`);
    client = next;
  }

  async function reconnect(): Promise<void> {
    while (!closed) {
      await sleep(RECONNECT_DELAY_MS);
      try {
        await connect();
        notifyAll();
        return;
      } catch (error) {
        logger.warn({ err: (error as Error).message }, 'order status feed: reconnecting');
      }
    }
  }

  return {
    async subscribe(orderId, onChange) {
      if (closed) throw new Error('the order status feed is closed');
      // A failed first connect is not cached: the next subscription tries again.
      ready ??= connect().catch((error: unknown) => {
        ready = undefined;
        throw error;
      });
      await ready;
      const listeners = subscribers.get(orderId) ?? new Set();
      listeners.add(onChange);
      subscribers.set(orderId, listeners);
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0 && subscribers.get(orderId) === listeners) subscribers.delete(orderId);
      };
    },
    async close() {
      closed = true;
      subscribers.clear();
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
