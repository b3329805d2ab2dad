import { Partitioners, type Kafka, type Producer } from 'kafkajs';

/** An idempotent producer: acks from all in-sync replicas, one request in flight so order per key holds across retries. */
export function createProducer(kafka: Kafka): Producer {
  // The Java client's murmur2 partitioner: the same key lands on the same partition whichever client produced it.
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
}
