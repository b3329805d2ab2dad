// The integration tests run in a namespace of their own (PETSTORE_NAMESPACE): their topics, consumer
// groups, task queue and local database are not the running system's, so `npm test` passes while
// `npm start` runs on the same stack.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';

/** What the integration tests add to the environment; everything they start inherits it. */
export const TEST_NAMESPACE_ENV = { PETSTORE_NAMESPACE: 'test' } as const;

/** Per test file (setupFiles): the configuration the tests load is the test namespace's. */
export function useTestNamespace(): void {
  Object.assign(process.env, TEST_NAMESPACE_ENV);
}

/**
 * Once per run (globalSetup): `petstore stack start` in the test namespace, as a user would set up a
 * namespace. It reuses the running parts and adds what the namespace needs: its database on the local
 * Postgres, its topics (dead-letter topics included).
 */
export default function provisionTestNamespace(): void {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', 'start', '--json'], {
    cwd: projectRoot,
    env: { ...process.env, ...TEST_NAMESPACE_ENV },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) throw new Error(`petstore stack start in namespace ${TEST_NAMESPACE_ENV.PETSTORE_NAMESPACE} failed (exit ${result.status})`);
}
