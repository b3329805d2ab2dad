import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { completionScript } from '../../cli/commands/completion';
import { EXIT } from '../../cli/errors';
import { runInProcess } from '../helpers/cli-in-process';
import type { Io } from '../../cli/output';
import { buildProgram } from '../../cli/program';

const quietIo: Io = { out: () => undefined, err: () => undefined, interactive: false };

const runCli = (args: string[]) => runInProcess(undefined, args);

/** Every command below the program, as the words that lead to it. */
function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((sub) => [[...prefix, sub.name()], ...commandPaths(sub, [...prefix, sub.name()])]);
}

/** What bash offers after typing `words` (the last one being completed), using the generated script. */
function bashComplete(script: string, words: string[]): string[] {
  const line = ['petstore', ...words];
  const program = `${script}
COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${line.length - 1}
_petstore
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout.split('\n').filter(Boolean).sort();
}

describe('petstore completion', () => {
  const program = buildProgram(quietIo);

  it('prints a bash script that mentions every command, subcommand and option of the tree', async () => {
    const { code, out } = await runCli(['completion', 'bash']);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain('complete -F _petstore petstore');
    const paths = commandPaths(program);
    expect(paths.length).toBeGreaterThan(20);
    for (const path of paths) expect(out).toContain(`'${path.join(' ')}')`);
    expect(out).toContain('--payment-token');
    expect(out).toContain('--continue-on-error');
  });

  it('prints a zsh script over the same tree', async () => {
    const { code, out } = await runCli(['completion', 'zsh']);
    expect(code).toBe(EXIT.ok);
    expect(out.split('\n')[0]).toBe('#compdef petstore');
    expect(out).toContain('compdef _petstore petstore');
    for (const path of commandPaths(program)) expect(out).toContain(`'${path.join(' ')}')`);
  });

  it('completes commands, options and option values in bash', () => {
    const script = completionScript(program, 'bash');
    expect(spawnSync('bash', ['-n', '-c', script]).status).toBe(0);
    expect(bashComplete(script, ['pe'])).toEqual(['pets']);
    expect(bashComplete(script, ['pets', ''])).toEqual(['add', 'get', 'list', 'restock', 'rm', 'update']);
    expect(bashComplete(script, ['--api-url', 'http://x', 'orders', 'li'])).toEqual(['list']);
    expect(bashComplete(script, ['pets', 'list', '--st'])).toEqual(['--status']);
    expect(bashComplete(script, ['pets', 'list', '--status', ''])).toEqual(['available', 'sold_out']);
    expect(bashComplete(script, ['orders', 'list', '--species'])).toEqual([]);
    expect(bashComplete(script, ['orders', 'list', '--status', 'AWAITING_'])).toEqual(['AWAITING_INVENTORY', 'AWAITING_PAYMENT']);
    expect(bashComplete(script, ['completion', ''])).toEqual(['bash', 'zsh']);
    expect(bashComplete(script, ['orders', 'place', '--tok'])).toEqual(['--token']);
  });

  it('refuses an unknown shell with exit 2', async () => {
    const { code, err } = await runCli(['completion', 'fish']);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/Allowed choices are bash, zsh/);
  });
});
