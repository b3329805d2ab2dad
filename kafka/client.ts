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

/**
 * kafkajs lines that are not news on a healthy system, logged at debug instead (each with the reason):
 * - the idempotent producer's "Limiting retries ... may invalidate EoS guarantees": our producers are
 *   idempotent with bounded retries on purpose; a send that gives up leaves its event in the outbox, the
 *   relay sends it again, and consumers drop duplicates by event id, so no guarantee is lost;
 * - a coordinator that is loading or not available yet (a broker that just started is still reading its
 *   offsets and producer state): kafkajs retries these requests itself, and our components log the failure
 *   if the retries run out.
 */
export const QUIET_KAFKAJS_MESSAGES: readonly RegExp[] = [
  /Limiting retries for the idempotent producer may invalidate EoS guarantees/,
  /coordinator is loading/i,
  /group coordinator is not available/i,
];

/** The level a kafkajs line is logged at: its own, or debug for QUIET_KAFKAJS_MESSAGES. */
export function kafkaLogLevel(level: 'error' | 'warn' | 'info' | 'debug', message: string, extra: Record<string, unknown>): 'error' | 'warn' | 'info' | 'debug' {
  const text = `${message} ${typeof extra.error === 'string' ? extra.error : ''}`;
  return QUIET_KAFKAJS_MESSAGES.some((quiet) => quiet.test(text)) ? 'debug' : level;
}

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
      sink?.(kafkaLogLevel(LEVELS[entry.level] ?? 'info', message, extra), `kafkajs${entry.namespace ? ` ${entry.namespace}` : ''}: ${message}`, extra);
    },
  });
}
