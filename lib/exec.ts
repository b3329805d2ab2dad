import { spawn, spawnSync } from 'node:child_process';

/** The first line a command prints of its version (stdout or stderr), or undefined when it cannot run. */
export function versionOf(command: string, args: string[] = ['--version']): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  if (result.error || result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}

/** Runs a command to completion; rejects with its exit code and the tail of its output. */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${output.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}
