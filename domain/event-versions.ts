import type { TSchema } from 'typebox';
import { EVENT_CATALOGUE, isEventType, type EventType } from './events';

// Events stay on their topics for ever, so every version of an event's data that was ever published
// must keep parsing. The catalogue's `data` is an event type's current version; its earlier versions
// live here, oldest first, each with the function that lifts its data to the next version's shape.

/** An earlier version of an event type's data: its schema, and how it becomes the next version. */
export interface PastVersion {
  data: TSchema;
  /** Data valid against `data`, as the next version's schema wants it. */
  upcast: (data: unknown) => unknown;
}

/**
 * Every event type's earlier data versions, oldest first: entry i is version i + 1, and the catalogue's
 * `data` is version length + 1. Introducing version n + 1 of a type means moving its current schema
 * here (with an upcast to the new shape) and putting the new one in the catalogue; nothing is removed.
 */
export const EVENT_HISTORY: { readonly [T in EventType]: readonly PastVersion[] } = {
  OrderPlaced: [],
  InventoryReserved: [],
  InventoryRejected: [],
  InventoryReleased: [],
  OrderConfirmed: [],
  OrderCancelled: [],
  PaymentSucceeded: [],
  PaymentFailed: [],
  PaymentRefunded: [],
  NotificationRequested: [],
};

/** The schema and history of event types: the catalogue's by default, a test's own otherwise. */
export interface EventVersions {
  current: (type: EventType) => TSchema;
  history: (type: EventType) => readonly PastVersion[];
}

export const CATALOGUE_VERSIONS: EventVersions = { current: (type) => EVENT_CATALOGUE[type].data, history: (type) => EVENT_HISTORY[type] };

/** The version events of this type are published in now. */
export const currentVersion = (type: EventType, versions: EventVersions = CATALOGUE_VERSIONS): number => versions.history(type).length + 1;

/** Every version of the type, oldest first, with its data schema. */
export function eventVersions(type: EventType, versions: EventVersions = CATALOGUE_VERSIONS): { version: number; data: TSchema }[] {
  return [...versions.history(type).map((past, i) => ({ version: i + 1, data: past.data })), { version: currentVersion(type, versions), data: versions.current(type) }];
}

/** The schema of one version of a type's data; undefined for a version that never existed. */
export function dataSchemaOf(type: EventType, version: number, versions: EventVersions = CATALOGUE_VERSIONS): TSchema | undefined {
  return eventVersions(type, versions).find((v) => v.version === version)?.data;
}

/** Lifts data of `version` (already valid against that version's schema) to the current version's shape. */
export function upcast(type: EventType, version: number, data: unknown, versions: EventVersions = CATALOGUE_VERSIONS): unknown {
  const history = versions.history(type);
  let lifted = data;
  for (let v = version; v <= history.length; v++) lifted = history[v - 1]!.upcast(lifted);
  return lifted;
}

/** Reverse-DNS prefix of every CloudEvents type petstore publishes. */
export const CLOUDEVENTS_TYPE_PREFIX = 'com.petstore';

/** The CloudEvents `type` of one version of an event: `com.petstore.<topic>.<EventType>.v<version>`, e.g. com.petstore.orders.OrderPlaced.v1. */
export const cloudEventType = (type: EventType, version: number): string => `${CLOUDEVENTS_TYPE_PREFIX}.${EVENT_CATALOGUE[type].topic}.${type}.v${version}`;

const CLOUD_EVENT_TYPE = /^com\.petstore\.[a-z]+\.([A-Za-z]+)\.v([1-9][0-9]{0,5})$/;

/**
 * The event type and version a `ce_type` names: the reverse-DNS form, or the bare type name that
 * events published before CloudEvents binary mode carry (version 1). Undefined for anything else.
 */
export function parseCloudEventType(ceType: string | undefined): { type: EventType; version: number; legacy: boolean } | undefined {
  if (ceType === undefined) return undefined;
  if (isEventType(ceType)) return { type: ceType, version: 1, legacy: true };
  const match = CLOUD_EVENT_TYPE.exec(ceType);
  if (!match || !isEventType(match[1]!) || cloudEventType(match[1], Number(match[2])) !== ceType) return undefined;
  return { type: match[1], version: Number(match[2]), legacy: false };
}

/** Where one version's JSON Schema is served and committed: `/schemas/events/<EventType>/v<version>.json`. */
export const eventSchemaPath = (type: EventType, version: number): string => `/schemas/events/${type}/v${version}.json`;
