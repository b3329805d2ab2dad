import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';
import { OUTCOMES_FILE, RELIABILITY_ENV } from './stack-env';

/** The parts this run started, for the teardown to stop (a stack left running by someone else stays). */
export const STARTED_FILE = join(RELIABILITY_ENV.PETSTORE_DATA_DIR!, 'started-by-suite.json');

/** Starts the private stack (reusing running parts) and clears the summary of an earlier run. */
export default function globalSetup(): void {
  mkdirSync(RELIABILITY_ENV.PETSTORE_DATA_DIR!, { recursive: true });
  chmodSync(RELIABILITY_ENV.PETSTORE_DATA_DIR!, 0o755); // as root, Postgres runs as an unprivileged user that must enter it
  rmSync(OUTCOMES_FILE, { force: true });
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', 'start', '--json'], {
    cwd: projectRoot,
    env: { ...process.env, ...RELIABILITY_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`the reliability suite's private stack did not start (exit ${result.status})`);
  const parts = JSON.parse(result.stdout) as Record<string, { outcome: string }>;
  const started = Object.keys(parts).filter((name) => parts[name]!.outcome === 'started');
  writeFileSync(STARTED_FILE, JSON.stringify(started));
}
