import { Partitioners, type Kafka, type Producer } from 'kafkajs';

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
