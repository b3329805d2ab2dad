import { randomUUID } from 'node:crypto';
import { CloudEvent, Kafka, type CloudEventV1, type KafkaMessage } from 'cloudevents';
import type { IHeaders } from 'kafkajs';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { cloudEventType, currentVersion, dataSchemaOf, eventSchemaPath, parseCloudEventType, upcast } from '../domain/event-versions';
import { EnvelopeSchema, EVENT_CATALOGUE, isEventType, type AnyEvent, type EventData, type EventEnvelope, type EventType } from '../domain/events';

/** Builds an event (in its type's current version) with a fresh unique id; the order id is its subject and its Kafka key. */
export function newEvent<T extends EventType>(
  type: T,
  { source, orderId, correlationId, data }: { source: string; orderId: string; correlationId?: string; data: EventData<T> },
): EventEnvelope<T> {
  return { id: randomUUID(), type, source, time: new Date().toISOString(), orderId, correlationId: correlationId ?? orderId, data, version: currentVersion(type) };
}

/** The topic an event type travels on. */
export const topicOf = (type: EventType): string => EVENT_CATALOGUE[type].topic;

/** The media type of every event's data: the Kafka value is the data's JSON, nothing else. */
export const EVENT_CONTENT_TYPE = 'application/json';

/** A Kafka message as petstore publishes it: CloudEvents binary mode, the order id as key. */
export interface EventMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The absolute URI of one version's JSON Schema, under the deployment's schema base URL (EVENT_SCHEMA_BASE_URL). */
export const dataSchemaUri = (schemaBaseUrl: string, type: EventType, version: number): string => `${schemaBaseUrl.replace(/\/+$/, '')}${eventSchemaPath(type, version)}`;

/**
 * The event in CloudEvents' Kafka binding, binary mode: every attribute a `ce_` header (ce_type
 * reverse-DNS with the version, ce_subject the order id, ce_dataschema the data's JSON Schema,
 * ce_correlationid an extension), `content-type: application/json`, and the data alone as the value.
 */
export function toEventMessage(event: EventEnvelope, schemaBaseUrl: string): EventMessage {
  const cloudEvent = new CloudEvent<unknown>({
    specversion: '1.0',
    id: event.id,
    type: cloudEventType(event.type, event.version),
    source: event.source,
    subject: event.orderId,
    time: event.time,
    datacontenttype: EVENT_CONTENT_TYPE,
    dataschema: dataSchemaUri(schemaBaseUrl, event.type, event.version),
    correlationid: event.correlationId,
    data: event.data,
  });
  const message = Kafka.binary(cloudEvent) as KafkaMessage<unknown>;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) if (typeof value === 'string') headers[name] = value;
  // The binding carries datacontenttype as content-type; the library also writes it as an attribute header.
  delete headers.ce_datacontenttype;
  return { key: event.orderId, value: JSON.stringify(event.data), headers };
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

type Check = ReturnType<typeof Compile>;
const envelopeCheck = Compile(EnvelopeSchema);
const checks = new WeakMap<TSchema, Check>();
const checkOf = (schema: TSchema): Check => {
  let check = checks.get(schema);
  if (!check) checks.set(schema, (check = Compile(schema)));
  return check;
};

function firstError(check: Check, value: unknown): string {
  const [error] = check.Errors(value);
  return error ? `${error.instancePath || '/'} ${error.message}` : 'invalid';
}

/** Checks data against its version's schema and lifts it to the current version. */
function currentData(type: EventType, version: number, data: unknown): unknown {
  const schema = dataSchemaOf(type, version);
  if (!schema) throw new PoisonMessageError('unknown-type', `${type} has no version ${version} (this build knows up to v${currentVersion(type)})`);
  const check = checkOf(schema);
  if (!check.Check(data)) throw new PoisonMessageError('invalid-data', `${type} v${version} data: ${firstError(check, data)}`);
  return upcast(type, version, data);
}

/** An event as published before CloudEvents binary mode: the whole envelope as the value's JSON. */
function parseEnvelopeValue(value: Buffer | null): AnyEvent {
  let raw: unknown;
  try {
    raw = JSON.parse(value?.toString('utf8') ?? '');
  } catch (error) {
    throw new PoisonMessageError('invalid-json', `not JSON: ${(error as Error).message}`);
  }
  if (!envelopeCheck.Check(raw)) throw new PoisonMessageError('invalid-envelope', `not an event envelope: ${firstError(envelopeCheck, raw)}`);
  const envelope = raw as EventEnvelope;
  if (!isEventType(envelope.type)) throw new PoisonMessageError('unknown-type', `unknown event type "${envelope.type}"`);
  const data = currentData(envelope.type, envelope.version, envelope.data);
  return { ...envelope, data, version: currentVersion(envelope.type) } as AnyEvent;
}

const attribute = (event: CloudEventV1<unknown>, name: 'id' | 'source' | 'time' | 'subject'): string => {
  const value = event[name];
  if (typeof value !== 'string' || value === '') throw new PoisonMessageError('invalid-envelope', `CloudEvent without ce_${name}`);
  return value;
};

/** A CloudEvent in binary (or structured) mode. */
function parseCloudEvent(value: Buffer | null, headers: Record<string, string>, key: Buffer | null | undefined): AnyEvent {
  if (!headers['content-type']!.startsWith('application/cloudevents') && !headers['content-type']!.startsWith(EVENT_CONTENT_TYPE)) {
    throw new PoisonMessageError('invalid-envelope', `content-type ${headers['content-type']} is not ${EVENT_CONTENT_TYPE}`);
  }
  let event: CloudEventV1<unknown>;
  try {
    const message: KafkaMessage<Buffer> = { headers, value: value ?? Buffer.alloc(0), body: value, key: key ?? '' };
    event = Kafka.toEvent(message) as CloudEventV1<unknown>;
  } catch (error) {
    if (error instanceof SyntaxError) throw new PoisonMessageError('invalid-json', `not JSON: ${error.message}`);
    throw new PoisonMessageError('invalid-envelope', `not a CloudEvent: ${(error as Error).message}`);
  }
  const named = parseCloudEventType(event.type);
  if (!named || named.legacy) throw new PoisonMessageError('unknown-type', `unknown event type "${event.type}"`);
  const subject = attribute(event, 'subject');
  const correlation = (event as CloudEventV1<unknown> & { correlationid?: unknown }).correlationid;
  return {
    id: attribute(event, 'id'),
    type: named.type,
    source: attribute(event, 'source'),
    time: attribute(event, 'time'),
    orderId: subject,
    correlationId: typeof correlation === 'string' && correlation !== '' ? correlation : subject,
    data: currentData(named.type, named.version, event.data),
    version: currentVersion(named.type),
  } as AnyEvent;
}

/**
 * Parses and validates a message: a CloudEvent (a `content-type` header: binary mode, or structured)
 * or, without one, an envelope as events were published before (its value the whole JSON envelope).
 * Data of any version the catalogue knows is validated against that version and upcast to the current one.
 */
export function parseEvent(value: Buffer | null, headers?: IHeaders, key?: Buffer | null): AnyEvent {
  const read = readHeaders(headers);
  return read['content-type'] === undefined ? parseEnvelopeValue(value) : parseCloudEvent(value, read, key);
}

/** The event type a message's ce_type header names (either form), without parsing the value; undefined when it names none. */
export const eventTypeOfHeaders = (headers: IHeaders | undefined): EventType | undefined => parseCloudEventType(headers?.ce_type?.toString())?.type;

/** Header values as strings (kafkajs gives Buffers). */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
  }
  return out;
}
