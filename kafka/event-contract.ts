// The events as other teams read them: a JSON Schema per event type and version, and an AsyncAPI 3
// document of the topics, both made from the catalogue's TypeBox schemas (no second copy of any).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TSchema } from 'typebox';
import { cloudEventType, eventSchemaPath, eventVersions } from '../domain/event-versions';
import { EnvelopeSchema, EVENT_CATALOGUE, type EventType } from '../domain/events';
import { projectRoot } from '../lib/config';
import { DLQ_HEADERS } from './consumer';
import { dataSchemaUri, EVENT_CONTENT_TYPE } from './envelope';
import { kafkaNames, TOPICS, type Topic } from './topics';

/** What each event says, for the documents. */
export const EVENT_SUMMARIES: Record<EventType, string> = {
  OrderPlaced: 'A customer placed an order (status PLACED); Inventory reserves its items.',
  InventoryReserved: 'Inventory reserved every item of the order at the captured prices; Payment charges the total.',
  InventoryRejected: 'Inventory could not reserve the order; the saga cancels it.',
  InventoryReleased: 'Inventory put back the stock it had reserved for a cancelled order.',
  OrderConfirmed: 'The order is paid and confirmed (status CONFIRMED).',
  OrderCancelled: 'The order was cancelled (status CANCELLED), with the reason; reserved stock is restocked and a captured payment refunded.',
  PaymentSucceeded: 'The payment for the order was captured.',
  PaymentFailed: 'A payment attempt failed; the customer may retry until the payment deadline.',
  PaymentRefunded: 'A captured payment was refunded after the order was cancelled.',
  NotificationRequested: 'A notification to the customer was asked for; Notification delivers and records it once.',
};

const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A TypeBox schema as plain JSON Schema (TypeBox's own symbols dropped). */
const plain = (schema: TSchema): Record<string, unknown> => JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

/** The JSON Schema document of one version of an event's data: what `ce_dataschema` points at. */
export function eventSchemaDocument(type: EventType, version: number): Record<string, unknown> | undefined {
  const found = eventVersions(type).find((v) => v.version === version);
  if (!found) return undefined;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: `${type} v${version}`,
    description: `${EVENT_SUMMARIES[type]} The data (the Kafka value) of CloudEvents type ${cloudEventType(type, version)}, on the ${EVENT_CATALOGUE[type].topic} topic.`,
    ...plain(found.data),
  };
}

/** Every event schema document, by its path (`/schemas/events/<type>/v<n>.json`). */
export function allEventSchemaDocuments(): Map<string, Record<string, unknown>> {
  const documents = new Map<string, Record<string, unknown>>();
  for (const type of Object.keys(EVENT_CATALOGUE) as EventType[]) {
    for (const { version } of eventVersions(type)) documents.set(eventSchemaPath(type, version), eventSchemaDocument(type, version)!);
  }
  return documents;
}

/** Where the generated schema documents are committed (under it, the same paths they are served at). */
export const EVENT_SCHEMAS_DIR = join(projectRoot, 'contracts');

/** What the AsyncAPI document depends on in a deployment. */
export interface AsyncApiOptions {
  namespace: string;
  schemaBaseUrl: string;
  partitions: number;
  retentionMs: number;
  dlqRetentionMs: number;
}

const version = (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
const messageId = (type: EventType, v: number) => `${type}.v${v}`;
const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });

/** The headers of a binary-mode message of one version of an event. */
function cloudEventHeaders(type: EventType, v: number, schemaBaseUrl: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['content-type', 'ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_subject', 'ce_time', 'ce_dataschema'],
    properties: {
      'content-type': str('The data\'s media type (CloudEvents datacontenttype)', { const: EVENT_CONTENT_TYPE }),
      ce_specversion: str('CloudEvents spec version', { const: '1.0' }),
      ce_id: str('Unique event id: consumers deduplicate on it'),
      ce_type: str('Event type and version, reverse-DNS', { const: cloudEventType(type, v) }),
      ce_source: str('The service that emitted it', { enum: ['inventory', 'orders', 'payments', 'notifications'] }),
      ce_subject: str('The order id (also the Kafka key)'),
      ce_time: str('When the event happened', { format: 'date-time' }),
      ce_dataschema: str('The JSON Schema of the data', { const: dataSchemaUri(schemaBaseUrl, type, v), format: 'uri' }),
      ce_correlationid: str('CloudEvents extension: the id that ties the events of one saga together (the order id)'),
      traceparent: str('W3C trace context of the publish, when traced'),
      tracestate: str('W3C trace state, when traced'),
    },
  };
}

const orderKey = { kafka: { key: str('The order id: every event of one order stays in order on one partition'), bindingVersion: '0.5.0' } };

function eventMessage(type: EventType, v: number, data: TSchema, schemaBaseUrl: string): Record<string, unknown> {
  return {
    name: messageId(type, v),
    title: `${type} v${v}`,
    summary: EVENT_SUMMARIES[type],
    contentType: EVENT_CONTENT_TYPE,
    headers: cloudEventHeaders(type, v, schemaBaseUrl),
    payload: plain(data),
    correlationId: { description: 'The order the event is about', location: '$message.header#/ce_subject' },
    bindings: orderKey,
    externalDocs: { description: 'The JSON Schema of the data', url: dataSchemaUri(schemaBaseUrl, type, v) },
  };
}

/**
 * The AsyncAPI 3 document of the deployment's topics: each event topic with every version of every
 * event on it (CloudEvents binary mode, and the envelope form events were published in before), and
 * each consumer group's dead-letter topic.
 */
export function asyncApiDocument({ namespace, schemaBaseUrl, partitions, retentionMs, dlqRetentionMs }: AsyncApiOptions): Record<string, unknown> {
  const names = kafkaNames(namespace);
  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const topicBinding = (topic: string, retention: number) => ({
    kafka: { topic, partitions, topicConfiguration: { 'retention.ms': retention, 'cleanup.policy': ['delete'] }, bindingVersion: '0.5.0' },
  });

  messages.LegacyEnvelope = {
    name: 'LegacyEnvelope',
    title: 'Event in the envelope form (before CloudEvents binary mode)',
    summary: 'Events published before binary mode: no content-type header, a bare ce_type (e.g. OrderPlaced), the whole envelope as the value. They stay on the topics for ever and keep parsing as version 1.',
    contentType: EVENT_CONTENT_TYPE,
    payload: plain(EnvelopeSchema),
    bindings: orderKey,
  };
  for (const topic of Object.values(TOPICS) as Topic[]) {
    const types = (Object.keys(EVENT_CATALOGUE) as EventType[]).filter((t) => EVENT_CATALOGUE[t].topic === topic);
    const channelMessages: Record<string, unknown> = {};
    for (const type of types) {
      for (const { version: v, data } of eventVersions(type)) {
        messages[messageId(type, v)] = eventMessage(type, v, data, schemaBaseUrl);
        channelMessages[messageId(type, v)] = { $ref: `#/components/messages/${messageId(type, v)}` };
      }
    }
    channelMessages.LegacyEnvelope = { $ref: '#/components/messages/LegacyEnvelope' };
    channels[topic] = {
      address: names.topic(topic),
      title: `${topic} events`,
      description: `Events of ${types.join(', ')}. Kept for ever by default (retention.ms -1): the topic is the record.`,
      messages: channelMessages,
      bindings: topicBinding(names.topic(topic), retentionMs),
    };
    const current = types.map((t) => ({ $ref: `#/channels/${topic}/messages/${messageId(t, eventVersions(t).at(-1)!.version)}` }));
    operations[`publish-${topic}`] = { action: 'send', channel: { $ref: `#/channels/${topic}` }, summary: `petstore publishes the current version of each ${topic} event (outbox relay)`, messages: current };
    operations[`consume-${topic}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${topic}` },
      summary: `A consumer reads every version of each ${topic} event; it skips types it does not handle by the ce_type header`,
      messages: Object.keys(channelMessages).map((id) => ({ $ref: `#/channels/${topic}/messages/${id}` })),
    };
  }

  messages.DeadLetter = {
    name: 'DeadLetter',
    title: 'A message a consumer group kept failing on',
    summary: 'The original key, value and headers, and dlq_* headers saying where it came from and why it failed; `petstore events dlq replay` sends it back.',
    headers: {
      type: 'object',
      properties: {
        [DLQ_HEADERS.error]: str('The last error'),
        [DLQ_HEADERS.topic]: str('The topic it was read from'),
        [DLQ_HEADERS.partition]: str('Its partition there'),
        [DLQ_HEADERS.offset]: str('Its offset there'),
        [DLQ_HEADERS.group]: str('The consumer group that failed on it'),
        [DLQ_HEADERS.attempts]: str('How many attempts failed'),
        [DLQ_HEADERS.failedAt]: str('When it was dead-lettered', { format: 'date-time' }),
      },
    },
    payload: { description: 'The original value, as it was (it may not be valid JSON: that may be why it is here)' },
  };
  for (const [owner, group] of Object.entries(names.groups)) {
    const id = `dlq-${owner}`;
    channels[id] = {
      address: `${group}.dlq`,
      title: `${owner}'s dead letters`,
      description: `Messages the ${group} group kept failing on, kept for a finite window (KAFKA_DLQ_RETENTION).`,
      messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
      bindings: topicBinding(`${group}.dlq`, dlqRetentionMs),
    };
    operations[`dead-letter-${owner}`] = { action: 'send', channel: { $ref: `#/channels/${id}` }, summary: `The ${group} group parks a message it keeps failing on`, messages: [{ $ref: `#/channels/${id}/messages/DeadLetter` }] };
  }

  return {
    asyncapi: '3.1.0',
    info: {
      title: 'petstore events',
      version,
      description:
        'The Kafka topics of petstore. Every event is a CloudEvent in binary mode: its attributes are ce_ headers, content-type is application/json, ' +
        'the value is the data alone, the key is the order id. ce_type names the event and its version (com.petstore.<topic>.<Type>.v<n>); ' +
        'older versions and the envelope form of old stay readable for ever. The bootstrap servers are the deployment\'s KAFKA_BROKERS.',
    },
    defaultContentType: EVENT_CONTENT_TYPE,
    channels,
    operations,
    components: { messages },
  };
}

/** A schema document as committed: two-space JSON and a final newline. */
export const schemaFileText = (document: Record<string, unknown>): string => `${JSON.stringify(document, null, 2)}\n`;

/**
 * Writes every event schema document under EVENT_SCHEMAS_DIR (`npm run events:schemas`); returns the files that changed.
 * @public scripts/event-schemas.js calls it from dist/, where knip does not look.
 */
export function writeEventSchemas(dir = EVENT_SCHEMAS_DIR): string[] {
  const changed: string[] = [];
  for (const [path, document] of allEventSchemaDocuments()) {
    const file = join(dir, path);
    const text = schemaFileText(document);
    let before: string | undefined;
    try {
      before = readFileSync(file, 'utf8');
    } catch {
      before = undefined;
    }
    if (before === text) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    changed.push(file);
  }
  return changed;
}
