import type { OrderActivities } from '../../activities';

/** The name of one of the saga's activities. */
export type SagaActivityName = keyof OrderActivities;

/** The input one saga activity was called with. */
export type SagaActivityInput<N extends SagaActivityName> = Parameters<OrderActivities[N]>[0];

/** A step the test holds: `entered` resolves when the saga calls it, `release` lets it finish. */
export interface HeldStep {
  entered: Promise<void>;
  release(): void;
}

/** Fake order activities that record every call and can hold a step until the test releases it. */
export interface FakeOrderActivities {
  /** What the worker registers. */
  activities: OrderActivities;
  /** Every call, in order. */
  calls: { name: SagaActivityName; input: unknown }[];
  /** The inputs one activity was called with, in order. */
  callsOf<N extends SagaActivityName>(name: N): SagaActivityInput<N>[];
  /** Makes the next call of `name` wait until the test releases it. */
  hold(name: SagaActivityName): HeldStep;
}

/** A fresh recorder of the saga's activity calls: one per test, so no test sees another's calls. */
export function createFakeOrderActivities(): FakeOrderActivities {
  const calls: FakeOrderActivities['calls'] = [];
  const held = new Map<SagaActivityName, { enter: () => void; gate: Promise<void> }>();

  const step =
    <N extends SagaActivityName>(name: N) =>
    async (input: SagaActivityInput<N>): Promise<void> => {
      calls.push({ name, input });
      const hold = held.get(name);
      if (hold) {
        held.delete(name);
        hold.enter();
        await hold.gate;
      }
    };

  return {
    activities: {
      placeOrder: step('placeOrder'),
      recordReservation: step('recordReservation'),
      confirmOrder: step('confirmOrder'),
      cancelOrder: step('cancelOrder'),
      recordCompensation: step('recordCompensation'),
      reportPaymentMismatch: step('reportPaymentMismatch'),
    },
    calls,
    callsOf: <N extends SagaActivityName>(name: N) => calls.filter((c) => c.name === name).map((c) => c.input as SagaActivityInput<N>),
    hold(name) {
      let enter!: () => void;
      let release!: () => void;
      const entered = new Promise<void>((resolve) => (enter = resolve));
      const gate = new Promise<void>((resolve) => (release = resolve));
      held.set(name, { enter, gate });
      return { entered, release };
    },
  };
}
