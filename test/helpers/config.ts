import { kafkaNames, type KafkaNames } from '../../kafka/topics';
import { loadConfig, type Config } from '../../lib/config';

/** The configuration the tests run with: the same environment the services read. */
export const testConfig: Config = loadConfig();

/** The topics and consumer groups of the tests' namespace (PETSTORE_NAMESPACE, see test-namespace.ts). */
export const testNames: KafkaNames = kafkaNames(testConfig.namespace);

/** A name no earlier run used, for topics, schemas and task queues. */
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
