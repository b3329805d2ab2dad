import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { Compile } from 'typebox/compile';
import { EnvelopeSchema, EVENT_CATALOGUE, isEventType, type AnyEvent, type EventData, type EventEnvelope, type EventType } from '../domain/events';

/** Builds an event with a fresh unique id; the order id is its subject and its Kafka key. */
export function newEvent<T extends EventType>(
  type: T,
  { source, orderId, correlationId, data }: { source: string; orderId: string; correlationId?: string; data: EventData<T> },
): EventEnvelope<T> {
  return { id: randomUUID(), type, source, time: new Date().toISOString(), orderId, correlationId: correlationId ?? orderId, data, version: 1 };
}

/** The topic an event type travels on. */
export const topicOf = (type: EventType): string => EVENT_CATALOGUE[type].topic;

/** CloudEvents-style headers, so tools can route and trace without parsing the body. */
export function headersOf(event: EventEnvelope): Record<string, string> {
  return {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_type: event.type,
    ce_source: event.source,
    ce_subject: event.orderId,
    ce_time: event.time,
    correlation_id: event.correlationId,
  };
}

/** Why a message cannot be processed however often it is retried. */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
  constructor(
    readonly kind: 'invalid-json' | 'invalid-envelope' | 'unknown-type' | 'invalid-data',
    message: string,
  ) {
    super(message);
  }
}

const envelopeCheck = Compile(EnvelopeSchema);
const dataChecks = Object.fromEntries(Object.entries(EVENT_CATALOGUE).map(([type, entry]) => [type, Compile(entry.data)])) as Record<
  EventType,
  ReturnType<typeof Compile>
>;

function firstError(check: ReturnType<typeof Compile>, value: unknown): string {
  const [error] = check.Errors(value);
  return error ? `${error.instancePath || '/'} ${error.message}` : 'invalid';
}

/** Parses and validates a message value against the envelope and its type's data schema. */
export function parseEvent(value: Buffer | null): AnyEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(value?.toString('utf8') ?? '');
  } catch (error) {
    throw new PoisonMessageError('invalid-json', `not JSON: ${(error as Error).message}`);
  }
  if (!envelopeCheck.Check(raw)) throw new PoisonMessageError('invalid-envelope', `not an event envelope: ${firstError(envelopeCheck, raw)}`);
  const envelope = raw as EventEnvelope;
  if (!isEventType(envelope.type)) throw new PoisonMessageError('unknown-type', `unknown event type "${envelope.type}"`);
  const check = dataChecks[envelope.type];
  if (!check.Check(envelope.data)) throw new PoisonMessageError('invalid-data', `${envelope.type} data: ${firstError(check, envelope.data)}`);
  return envelope as AnyEvent;
}

/** Header values as strings (kafkajs gives Buffers). */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
