import type { Command } from 'commander';
import { EXIT, exitCodeFor } from '../../cli/errors';
import type { Io } from '../../cli/output';
import { commandGroups, rootCommand, wireCommandTree } from '../../cli/program';

/** What an in-process run of the CLI printed, and the exit code index.ts would have set. */
export interface InProcessRun {
  code: number;
  out: string;
  err: string;
  /** Each stdout write, for commands that print one line per item. */
  stdout: string[];
}

/**
 * Runs `petstore <args>` in this process with the given command groups (by default all of them),
 * output captured, wired exactly as the real program is.
 */
export async function runInProcess(groups: (io: Io) => Command[] = commandGroups, args: string[] = [], { interactive = false }: { interactive?: boolean } = {}): Promise<InProcessRun> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t), interactive };
  const program = rootCommand();
  for (const group of groups(io)) program.addCommand(group);
  wireCommandTree(program, io);
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(['node', 'petstore', ...args]);
  } catch (error) {
    code = exitCodeFor(error, io.err);
  }
  return { code, out: out.join('\n'), err: err.join('\n'), stdout: out };
}
