import { appendFileSync } from 'node:fs';
import type { Audit } from '../../bench/audit';
import { OUTCOMES_FILE } from './stack-env';

/** One row of the suite's summary table. */
export interface Outcome {
  test: string;
  runs: number;
  orders: number;
  oversells: number;
  doubleCharges: number;
  lostEvents: number;
  duplicateEffects: number;
  ms: number;
  note?: string;
}

/** Sums audits of several runs into one row. */
export function outcomeOf(test: string, audits: Audit[], ms: number, note?: string): Outcome {
  const sum = (field: 'orders' | 'oversells' | 'doubleCharges' | 'lostEvents' | 'duplicateEffects') => audits.reduce((n, a) => n + a[field], 0);
  return {
    test,
    runs: audits.length,
    orders: sum('orders'),
    oversells: sum('oversells'),
    doubleCharges: sum('doubleCharges'),
    lostEvents: sum('lostEvents'),
    duplicateEffects: sum('duplicateEffects'),
    ms,
    ...(note ? { note } : {}),
  };
}

/** Appends a row for the summary table the reporter prints at the end of the run. */
export function recordOutcome(outcome: Outcome): void {
  appendFileSync(OUTCOMES_FILE, `${JSON.stringify(outcome)}\n`);
}
