import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type LogEntry, type SASLOptions } from 'kafkajs';
import type { Config } from '../lib/config';

/** Where kafkajs log lines go; the app passes its logger, probes pass nothing. */
export type KafkaLogSink = (level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>) => void;

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** The TLS and SASL options of the kafkajs client, from config; the CA file is read here. */
export function kafkaSecurity(config: Config, read: (path: string) => Buffer = (path) => readFileSync(path)): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const { ssl, sasl } = config.kafka;
  return {
    ssl: ssl.enabled ? (ssl.caFile ? { ca: [read(ssl.caFile)] } : true) : false,
    // kafkajs types each mechanism on its own, and TypeScript cannot match our union of the three against them.
    ...(sasl ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions } : {}),
  };
}

/** The one place a kafkajs client is made: brokers, TLS, SASL, client id and logging come from config. */
export function createKafka(
  config: Config,
  { clientId = config.kafka.clientId, sink, retries = 8 }: { clientId?: string; sink?: KafkaLogSink; retries?: number } = {},
): Kafka {
  return new Kafka({
    clientId,
    brokers: config.kafka.brokers,
    ...kafkaSecurity(config),
    connectionTimeout: 3000,
    retry: { retries, initialRetryTime: 100, maxRetryTime: 5000 },
    // kafkajs is chatty at INFO (every join and rebalance); our components log those moments themselves.
    logLevel: sink ? logLevel.WARN : logLevel.NOTHING,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      sink?.(LEVELS[entry.level] ?? 'info', `kafkajs${entry.namespace ? ` ${entry.namespace}` : ''}: ${message}`, extra);
    },
  });
}
