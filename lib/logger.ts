import pino, { type Logger } from 'pino';
import type { Config, LogFormat } from './config';
import { activeTraceIds } from './tracing';

export type { Logger } from 'pino';

/** How createLogger writes: the format (default: pretty on a terminal) and whether lines carry the active trace and span ids. */
export interface LoggerOptions {
  format?: LogFormat;
  traceIds?: boolean;
}

/** Whether lines written to this destination should be pretty: asked for, or unset and stdout is a terminal. */
export function wantsPretty(format: LogFormat | undefined, destination: pino.DestinationStream | number, stdoutIsTty = process.stdout.isTTY === true): boolean {
  if (format !== undefined) return format === 'pretty';
  return destination === 1 && stdoutIsTty;
}

/** The options pretty lines are written with: one line per entry, the component before the message, colours on a terminal. */
export function prettyOptions(colorize: boolean) {
  return {
    colorize,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,component',
    messageFormat: '{if component}{component}: {end}{msg}',
  };
}

/**
 * The app's logger: JSON lines on stdout, one child per component (`logger.child({ component })`); pretty
 * lines (pino-pretty, loaded only then) when asked for or on a terminal. With traceIds, every line written
 * inside a span carries trace_id and span_id.
 */
export function createLogger(level: string, destination: pino.DestinationStream | number = 1, { format, traceIds = false }: LoggerOptions = {}): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'petstore' },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(traceIds ? { mixin: activeTraceIds } : {}),
  };
  if (wantsPretty(format, destination)) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    const colorize = typeof destination === 'number' ? process.stdout.isTTY === true && destination === 1 : false;
    return pino(options, pretty({ ...prettyOptions(colorize), destination }));
  }
  return pino(options, typeof destination === 'number' ? pino.destination(destination) : destination);
}

/** The services' logger as configured: LOG_LEVEL, LOG_FORMAT, and trace ids when tracing is on. */
export function loggerFor(config: Pick<Config, 'logLevel' | 'logFormat' | 'tracing'>): Logger {
  return createLogger(config.logLevel, 1, { format: config.logFormat, traceIds: config.tracing.endpoint !== undefined });
}
