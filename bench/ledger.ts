// The saga bench's bookkeeping: every order placed, when its POST went out and came back, and what the
// orders topic said about it. It does no I/O: the load loop and the Kafka follower report to it, the
// progress line and the report read from it.
import { Counter } from './stats';

/** What the orders topic says happened to an order, as the follower saw it. */
export type Terminal = { outcome: 'CONFIRMED'; seenAt: number } | { outcome: 'CANCELLED'; reason: string; seenAt: number };

interface Placed {
  sentAt: number;
  acceptedAt: number;
  terminal?: Terminal;
  timedOut: boolean;
  waiter?: (result: 'terminal' | 'timeout') => void;
}

/** Counts for the live progress line and the report. */
export interface LedgerCounts {
  /** POSTs sent (answered or not). */
  sent: number;
  /** POSTs answered 202. */
  accepted: number;
  confirmed: number;
  cancelled: number;
  /** POSTs that failed: an HTTP error status or no answer. */
  rejected: number;
  /** Accepted orders with no terminal event yet. */
  open: number;
  /** Accepted orders that passed the order timeout without a terminal event (they are still followed). */
  timedOut: number;
}

// Events of orders not (yet) known: another client's traffic, or ours seen before its POST returned.
// Bounded, so a busy shared topic cannot grow it without end.
const MAX_UNCLAIMED = 100_000;

/** The ledger of one saga bench run; times are milliseconds on one clock (the bench's). */
export class OrderLedger {
  private readonly orders = new Map<string, Placed>();
  private readonly unclaimed = new Map<string, { terminal?: Terminal; lags: number[] }>();
  private sentCount = 0;
  private confirmedCount = 0;
  private cancelledCount = 0;
  private rejectedCount = 0;
  private timedOutCount = 0;
  /** Errors by kind: `http:<status>`, `network`, `cancelled:<reason>`, `timeout`. */
  readonly errors = new Counter();
  /** "Retry later" answers (503, 429) by status: the system shedding load, not failing. */
  readonly refusals = new Counter();
  /** POST sent → refusal received, per refused POST. */
  readonly refusalLatencies: number[] = [];
  /** POST sent → 202 received, per accepted order. */
  readonly acceptLatencies: number[] = [];
  /** POST sent → OrderConfirmed seen, per confirmed order. */
  readonly confirmLatencies: number[] = [];
  /** Time an event was seen on the topic minus the envelope's time, for every event of our orders. */
  readonly publishLags: number[] = [];
  /** When the latest OrderConfirmed of ours was seen. */
  lastConfirmedAt: number | undefined;

  constructor(private readonly orderTimeoutMs: number) {}

  /** A POST is going out. */
  sent(): void {
    this.sentCount += 1;
  }

  /** A POST was refused or went unanswered; `kind` is `http:<status>` or `network`. A 503 or 429 ("retry later") is also counted apart, with its latency. */
  rejected(kind: string, latencyMs?: number): void {
    this.rejectedCount += 1;
    this.errors.add(kind);
    if (kind === 'http:503' || kind === 'http:429') {
      this.refusals.add(kind.slice(5));
      if (latencyMs !== undefined) this.refusalLatencies.push(latencyMs);
    }
  }

  /** A POST was answered 202 with this order id; events seen before the answer are claimed now. */
  accepted(orderId: string, sentAt: number, acceptedAt: number): void {
    const placed: Placed = { sentAt, acceptedAt, timedOut: false };
    this.orders.set(orderId, placed);
    this.acceptLatencies.push(acceptedAt - sentAt);
    const early = this.unclaimed.get(orderId);
    if (early) {
      this.unclaimed.delete(orderId);
      this.publishLags.push(...early.lags);
      if (early.terminal) this.finish(orderId, placed, early.terminal);
    }
  }

  /** An event of this order was seen on the topic at seenAt; `time` is the envelope's (when it was written). */
  event(orderId: string, { time, seenAt, terminal }: { time: number; seenAt: number; terminal?: Terminal }): void {
    const placed = this.orders.get(orderId);
    if (!placed) {
      if (this.unclaimed.size >= MAX_UNCLAIMED) this.unclaimed.delete(this.unclaimed.keys().next().value!);
      const entry = this.unclaimed.get(orderId) ?? { lags: [] };
      if (Number.isFinite(time)) entry.lags.push(seenAt - time);
      if (terminal && !entry.terminal) entry.terminal = terminal;
      this.unclaimed.set(orderId, entry);
      return;
    }
    if (Number.isFinite(time)) this.publishLags.push(seenAt - time);
    if (terminal) this.finish(orderId, placed, terminal);
  }

  private finish(_orderId: string, placed: Placed, terminal: Terminal): void {
    // At-least-once delivery: a redelivered terminal event changes nothing.
    if (placed.terminal) return;
    placed.terminal = terminal;
    if (terminal.outcome === 'CONFIRMED') {
      this.confirmedCount += 1;
      this.confirmLatencies.push(terminal.seenAt - placed.sentAt);
      this.lastConfirmedAt = Math.max(this.lastConfirmedAt ?? 0, terminal.seenAt);
    } else {
      this.cancelledCount += 1;
      this.errors.add(`cancelled:${terminal.reason}`);
    }
    placed.waiter?.('terminal');
    placed.waiter = undefined;
  }

  /** Resolves once the order is terminal, or has passed the order timeout (whichever is first). */
  untilTerminal(orderId: string): Promise<'terminal' | 'timeout'> {
    const placed = this.orders.get(orderId);
    if (!placed) return Promise.reject(new Error(`order ${orderId} was not placed by this run`));
    if (placed.terminal) return Promise.resolve('terminal');
    if (placed.timedOut) return Promise.resolve('timeout');
    return new Promise((resolve) => (placed.waiter = resolve));
  }

  /** Marks the orders that passed the order timeout at `now` (each counted once) and wakes their waiters. */
  sweep(now: number): void {
    for (const placed of this.orders.values()) {
      if (placed.terminal || placed.timedOut || now - placed.sentAt < this.orderTimeoutMs) continue;
      placed.timedOut = true;
      this.timedOutCount += 1;
      this.errors.add('timeout');
      placed.waiter?.('timeout');
      placed.waiter = undefined;
    }
  }

  /** Ids of every accepted order, in the order they were placed. */
  acceptedIds(): string[] {
    return [...this.orders.keys()];
  }

  /** Ids of the confirmed orders, in the order they were placed. */
  confirmedIds(): string[] {
    return [...this.orders.entries()].filter(([, p]) => p.terminal?.outcome === 'CONFIRMED').map(([id]) => id);
  }

  /** The counts now. */
  counts(): LedgerCounts {
    const accepted = this.orders.size;
    return {
      sent: this.sentCount,
      accepted,
      confirmed: this.confirmedCount,
      cancelled: this.cancelledCount,
      rejected: this.rejectedCount,
      open: accepted - this.confirmedCount - this.cancelledCount,
      timedOut: this.timedOutCount,
    };
  }
}
