import type { Config } from '../lib/config';
import type { Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { temporalWorker } from './temporal-worker';

/** The components one `petstore serve` process runs, in start order. */
export function serveComponents({ config, logger }: { config: Config; logger: Logger }): Component[] {
  return [temporalWorker({ config, logger: logger.child({ component: 'temporal-worker' }), activities: {} })];
}
