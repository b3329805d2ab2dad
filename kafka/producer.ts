import { Partitioners, type Consumer, type Kafka, type Producer, type RequestEvent } from 'kafkajs';
import type { Metrics } from '../lib/metrics';

/** An idempotent producer: acks from all in-sync replicas, one request in flight so order per key holds across retries. */
export function createProducer(kafka: Kafka, { metadataMaxAgeMs }: { metadataMaxAgeMs?: number } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // Partitions added to a topic get keys (and so traffic) once the producer's metadata is this old.
    ...(metadataMaxAgeMs === undefined ? {} : { metadataMaxAge: metadataMaxAgeMs }),
    // The Java client's murmur2 partitioner: the same key lands on the same partition whichever client produced it.
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** Counts every request a producer or consumer sends to the brokers (petstore_kafka_requests_total), so cost per order can be read off. */
export function countKafkaRequests(client: Producer | Consumer, name: string, metrics: Metrics | undefined): void {
  if (!metrics) return;
  const count = ({ payload }: RequestEvent) => metrics.kafkaRequests.inc({ client: name, api: payload.apiName });
  // The two clients type their event maps apart; the request event is the same.
  if ('send' in client) client.on(client.events.REQUEST, count);
  else client.on(client.events.REQUEST, count);
}
