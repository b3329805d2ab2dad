import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run, versionOf } from '../lib/exec';
import { PrerequisiteError, type Progress } from './part';

/** A command-line tool from PyPI, pinned to one version, with the module `python -m` runs it by. */
export interface PythonTool {
  /** The distribution's name on PyPI. */
  name: string;
  /** The exact version installed: a tool that judges our code must judge it the same way on every machine. */
  version: string;
  /** The module that is the tool's command line (`python -m <module>`). */
  module: string;
}

/** An installed tool: run `command` with `args` first, then the tool's own arguments. */
export interface InstalledTool {
  command: string;
  args: string[];
  /** The virtual environment it lives in. */
  venv: string;
}

const installedTool = (venv: string, tool: PythonTool): InstalledTool => ({ command: join(venv, 'bin', 'python'), args: ['-m', tool.module], venv });

/**
 * The tool in its own virtual environment under the download cache (`<cacheDir>/<name>-<version>`),
 * pip-installed with its dependencies on first use and reused after. It is built beside that folder and
 * renamed into it once it answers `--version`, so an interrupted install is never taken for a finished one;
 * it runs as `python -m`, which, unlike a console script's shebang, does not name the folder it was built in.
 */
export async function ensurePythonTool(cacheDir: string, tool: PythonTool, progress: Progress): Promise<InstalledTool> {
  const venv = join(cacheDir, `${tool.name}-${tool.version}`);
  if (existsSync(join(venv, 'bin', 'python'))) return installedTool(venv, tool);
  if (!versionOf('python3', ['-m', 'venv', '--help'])) {
    throw new PrerequisiteError(`Python 3 with the venv module (Debian: python3-venv) is needed to install ${tool.name} ${tool.version} from PyPI.`);
  }

  progress(`${tool.name}: installing ${tool.version} from PyPI into ${venv} (first run only)`);
  // One staging folder per process: two first runs at once each build their own, and the first rename wins.
  const staging = `${venv}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    await run('python3', ['-m', 'venv', staging]);
    const python = join(staging, 'bin', 'python');
    await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', `${tool.name}==${tool.version}`]);
    const answer = await run(python, ['-m', tool.module, '--version']);
    if (!answer.includes(tool.version)) throw new Error(`${tool.name} answered "${answer.trim()}" to --version, expected ${tool.version}`);
    try {
      renameSync(staging, venv);
    } catch (error) {
      if (!existsSync(join(venv, 'bin', 'python'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return installedTool(venv, tool);
}
