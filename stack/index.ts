import type { Config } from '../lib/config';
import { kafkaPart } from './kafka';
import { mailpitPart } from './mailpit';
import { type PartName, type PartStatus, type Progress, type StackPart, type StartOutcome } from './part';
import { postgresPart } from './postgres';
import { temporalPart } from './temporal';

export { PART_NAMES, PrerequisiteError, type PartName, type PartStatus, type StartOutcome } from './part';

/** The local stack's parts in start order; stop runs in reverse. */
export function stackParts(config: Config, progress: Progress): StackPart[] {
  return [postgresPart(config, progress), kafkaPart(config, progress), temporalPart(config, progress), mailpitPart(config, progress)];
}

function select(parts: StackPart[], only?: readonly PartName[]): StackPart[] {
  return only ? parts.filter((part) => only.includes(part.name)) : parts;
}

/**
 * Provisions and starts every part (concurrently: they do not depend on each other) and waits
 * until each answers. Running parts are reused. Rejects with every part's error once all settle.
 */
export async function startStack(config: Config, progress: Progress, only?: readonly PartName[]): Promise<Record<PartName, StartOutcome>> {
  const parts = select(stackParts(config, progress), only);
  const results = await Promise.allSettled(
    parts.map(async (part) => {
      const began = Date.now();
      const outcome = await part.start();
      progress(`${part.name}: ${outcome} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
      return [part.name, outcome] as const;
    }),
  );
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [`${parts[i]!.name}: ${(r.reason as Error).message}`] : []));
  if (failures.length > 0) throw new StackStartError(failures.join('\n'), outcomes(results));
  return outcomes(results);
}

function outcomes(results: PromiseSettledResult<readonly [PartName, StartOutcome]>[]): Record<PartName, StartOutcome> {
  return Object.fromEntries(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []))) as Record<PartName, StartOutcome>;
}

/** A start that failed for some parts; `outcomes` says which ones did start, so a caller can stop them. */
export class StackStartError extends Error {
  override name = 'StackStartError';
  constructor(
    message: string,
    readonly outcomes: Partial<Record<PartName, StartOutcome>>,
  ) {
    super(message);
  }
}

/** Stops the parts the stack runs, in reverse start order; returns the names of those it stopped. */
export async function stopStack(config: Config, progress: Progress, only?: readonly PartName[]): Promise<PartName[]> {
  const stopped: PartName[] = [];
  for (const part of select(stackParts(config, progress), only).reverse()) {
    if (await part.stop()) {
      progress(`${part.name}: stopped`);
      stopped.push(part.name);
    }
  }
  return stopped;
}

/** Every part's status, checked concurrently. */
export async function stackStatus(config: Config): Promise<Record<PartName, PartStatus>> {
  const parts = stackParts(config, () => undefined);
  const statuses = await Promise.all(parts.map((part) => part.status()));
  return Object.fromEntries(parts.map((part, i) => [part.name, statuses[i]!])) as Record<PartName, PartStatus>;
}
