import type { Kafka, Producer } from 'kafkajs';

/** An idempotent producer: acks from all in-sync replicas, one request in flight so order per key holds across retries. */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}
