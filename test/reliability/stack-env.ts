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

/** Where each test file appends its row of the summary table (the reporter prints it). */
export const OUTCOMES_FILE = join(RELIABILITY_ENV.PETSTORE_DATA_DIR!, 'outcomes.ndjson');
