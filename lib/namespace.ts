// One deployment's names on shared infrastructure: every Kafka topic, consumer group and Temporal
// task queue (and, when asked, the Temporal namespace and the local database) is `<namespace>.<name>`.

/**
 * Between the namespace and a name. A dot, because the namespace itself may not contain one: the
 * namespace is then exactly what comes before the first dot, and a Kafka ACL on the prefix
 * `<namespace>.` (PREFIXED pattern) covers one deployment's topics and groups and nobody else's
 * (with `-`, the prefix `team-` would also cover `team-b`'s).
 */
export const NAMESPACE_SEPARATOR = '.';

/**
 * Lowercase letters, digits and inner hyphens, at most 40 characters (a DNS label, shorter): legal in
 * Kafka topic and group names, Temporal task queues and namespaces, and Postgres database names.
 * No `_`: Kafka maps `.` and `_` to the same metric name, so `a_b.orders` and `a.b_orders` would
 * collide; no `.`: see NAMESPACE_SEPARATOR. 40 keeps the longest derived name (`<ns>.petstore` as a
 * database, 63 bytes at most) legal.
 */
export const NAMESPACE_PATTERN = /^(?=.{1,40}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/** The name as one deployment calls it: prefixed with its namespace, or bare when the namespace is empty (the default). */
export function namespaced(namespace: string, name: string): string {
  return namespace === '' ? name : `${namespace}${NAMESPACE_SEPARATOR}${name}`;
}
