import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** The app's logger: JSON lines on stdout, one child per component (`logger.child({ component })`). */
export function createLogger(level: string, destination: pino.DestinationStream | number = 1): Logger {
  return pino({ level, base: { service: 'petstore' }, timestamp: pino.stdTimeFunctions.isoTime }, typeof destination === 'number' ? pino.destination(destination) : destination);
}
