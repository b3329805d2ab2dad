// What one workflow costs Temporal: the events in its history and the state transitions the server
// made for it (each a persistence write), read from a few sampled, completed workflows.
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { range } from './stats';

/** The cost of the sampled workflows, per workflow. */
export interface TemporalCost {
  sampled: number;
  historyEvents: ReturnType<typeof range>;
  stateTransitions: ReturnType<typeof range>;
  /** Event types of the first sampled workflow's history with their counts (EVENT_TYPE_ left off). */
  eventTypes: Record<string, number>;
  workflowIds: string[];
}

/** Counts a history's events by type, in the order they first occur. */
export function countEventTypes(eventTypes: readonly (number | null | undefined)[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of eventTypes) {
    const name = (temporal.api.enums.v1.EventType[type ?? 0] ?? `UNKNOWN_${type}`).replace(/^EVENT_TYPE_/, '');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Picks up to n ids spread evenly over the list (first and last included), so early and late workflows are both seen. */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (n <= 0 || items.length === 0) return [];
  if (items.length <= n) return [...items];
  if (n === 1) return [items[0]!];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]!);
}

/** Describes each workflow (historyLength, stateTransitionCount) and counts the first one's event types. */
export async function temporalCost(client: Client, workflowIds: readonly string[]): Promise<TemporalCost> {
  const lengths: number[] = [];
  const transitions: number[] = [];
  for (const workflowId of workflowIds) {
    const description = await client.workflow.getHandle(workflowId).describe();
    lengths.push(description.historyLength);
    const count = description.raw.workflowExecutionInfo?.stateTransitionCount;
    if (count !== undefined && count !== null) transitions.push(Number(count));
  }
  let eventTypes: Record<string, number> = {};
  if (workflowIds[0] !== undefined) {
    const history = await client.workflow.getHandle(workflowIds[0]).fetchHistory();
    eventTypes = countEventTypes((history.events ?? []).map((e) => e.eventType));
  }
  return { sampled: workflowIds.length, historyEvents: range(lengths), stateTransitions: range(transitions), eventTypes, workflowIds: [...workflowIds] };
}
