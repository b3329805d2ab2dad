import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';
import { STARTED_FILE } from './global-setup';
import { RELIABILITY_ENV } from './stack-env';

/** Stops what the setup started. */
export default function globalTeardown(): void {
  if (!existsSync(STARTED_FILE)) return;
  const started = JSON.parse(readFileSync(STARTED_FILE, 'utf8')) as string[];
  rmSync(STARTED_FILE);
  if (started.length === 0) return;
  spawnSync(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', 'stop', '--only', started.join(',')], {
    cwd: projectRoot,
    env: { ...process.env, ...RELIABILITY_ENV },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
