import type { Logger } from './logger';

/** A long-running part of the process (worker, consumer, relay, HTTP server), made by a factory. */
export interface Component {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts components in order and stops them in reverse on SIGINT/SIGTERM (trapped once; a second
 * signal exits at once). Resolves after everything has stopped; a failed start stops what had started.
 */
export async function runUntilSignal(components: Component[], logger: Logger, onStopped?: () => Promise<void>): Promise<void> {
  const started: Component[] = [];
  let resolveStop!: (signal: string) => void;
  const stopRequested = new Promise<string>((resolve) => (resolveStop = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(130);
    }
    stopping = true;
    resolveStop(signal);
  };
  let stopping = false;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failure: unknown;
  try {
    for (const component of components) {
      if (stopping) break;
      await component.start();
      started.push(component);
      logger.debug({ component: component.name }, 'started');
    }
    if (!stopping) logger.info({ components: started.map((c) => c.name) }, 'running; press Ctrl-C to stop');
    const signal = await stopRequested;
    logger.info({ signal }, 'stopping');
  } catch (error) {
    failure = error;
  } finally {
    for (const component of started.reverse()) {
      try {
        await component.stop();
      } catch (error) {
        logger.error({ err: error, component: component.name }, 'stop failed');
      }
    }
    await onStopped?.();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (failure) throw failure;
}

/**
 * A component died while running (not during start): log it, mark the process failed and ask
 * runUntilSignal to stop the rest, so a supervisor sees a non-zero exit and restarts us.
 */
export function crash(logger: Logger, component: string, error: unknown): void {
  logger.fatal({ err: error, component }, 'component failed; shutting down');
  process.exitCode = 1;
  process.kill(process.pid, 'SIGTERM');
}
