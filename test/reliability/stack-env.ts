import { join } from 'node:path';
import { projectRoot } from '../../lib/config';

/**
 * The reliability suite runs on a private stack of its own (other ports, its own data folder):
 * it stops Kafka and restarts Postgres, which must not disturb a stack someone is using.
 */
export const RELIABILITY_ENV: Record<string, string> = {
  PETSTORE_DATA_DIR: join(projectRoot, '.petstore', 'reliability'),
  PETSTORE_POSTGRES_PORT: '56432',
  PETSTORE_KAFKA_PORT: '29092',
  PETSTORE_KAFKA_CONTROLLER_PORT: '29093',
  PETSTORE_TEMPORAL_PORT: '27233',
  PETSTORE_TEMPORAL_UI_PORT: '28233',
  PETSTORE_MAILPIT_SMTP_PORT: '27025',
  PETSTORE_MAILPIT_UI_PORT: '28925',
  SMTP_URL: '',
  DATABASE_URL: '',
  KAFKA_BROKERS: '',
  TEMPORAL_ADDRESS: '',
  TEMPORAL_UI_URL: '',
  JWT_SECRET: '',
};

/**
 * The three-broker Kafka of the broker-loss scenarios, on top of RELIABILITY_ENV: its own ports (node n on
 * 29240+2(n-1) and 29241+2(n-1)) and folders, beside the suite's single broker, which other files use.
 */
export const RELIABILITY_CLUSTER_ENV: Record<string, string> = {
  PETSTORE_KAFKA_BROKERS_COUNT: '3',
  PETSTORE_KAFKA_PORT: '29240',
  PETSTORE_KAFKA_CONTROLLER_PORT: '29241',
};

/** Where each test file appends its row of the summary table (the reporter prints it). */
export const OUTCOMES_FILE = join(RELIABILITY_ENV.PETSTORE_DATA_DIR!, 'outcomes.ndjson');
