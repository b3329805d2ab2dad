// Peak resident memory of the petstore processes during a run, read from /proc/<pid>/status (VmRSS).
// Processes are found by pid: the ones named with --pid, and every `petstore serve` / `petstore start`
// on the machine. Reading /proc is all this does: nothing is signalled, nothing is stopped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** VmRSS of a /proc/<pid>/status text, in MiB; undefined when absent (a zombie, a kernel thread). */
export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}

const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--api-url', '--token']);

/**
 * Whether a command line (argv) runs a petstore server: the petstore CLI (bin/petstore, or its compiled
 * cli/index.js) whose command is `serve` or `start` (not `stack start`, which only starts the infrastructure).
 */
export function isPetstoreServer(argv: readonly string[]): boolean {
  const cli = argv.findIndex((arg) => /(^|\/)petstore$/.test(arg) || /(^|\/)cli\/index\.[jt]s$/.test(arg));
  if (cli === -1) return false;
  const rest = argv.slice(cli + 1);
  // The global options that take a value (--api-url <url>, --token <jwt>) come before the command.
  const command = rest.find((arg, i) => !arg.startsWith('-') && !GLOBAL_OPTIONS_WITH_VALUE.has(rest[i - 1] ?? ''));
  return command === 'serve' || command === 'start';
}

/** A short label for a process: its petstore command line, without the node binary and paths. */
export function processLabel(argv: readonly string[]): string {
  const cli = argv.findIndex((arg) => /(^|\/)petstore$/.test(arg) || /(^|\/)cli\/index\.[jt]s$/.test(arg));
  const rest = cli === -1 ? argv : ['petstore', ...argv.slice(cli + 1)];
  const label = rest.join(' ');
  return label.length > 80 ? `${label.slice(0, 79)}…` : label;
}

function readArgv(procDir: string, pid: number): string[] | undefined {
  try {
    return readFileSync(join(procDir, String(pid), 'cmdline'), 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** The pids of every petstore server process on the machine but this one. */
export function discoverPetstoreServers(procDir = '/proc', self = process.pid): number[] {
  let entries: string[];
  try {
    entries = readdirSync(procDir);
  } catch {
    return [];
  }
  return entries
    .filter((name) => /^\d+$/.test(name) && Number(name) !== self)
    .map(Number)
    .filter((pid) => {
      const argv = readArgv(procDir, pid);
      return argv !== undefined && isPetstoreServer(argv);
    })
    .sort((a, b) => a - b);
}

/** One process's memory over the run, in MiB (null when it could never be read). */
export interface RssFigures {
  command: string;
  startMiB: number | null;
  peakMiB: number | null;
  endMiB: number | null;
}

/** A sampler of VmRSS for some pids; `stop` ends it and gives the figures keyed by pid. */
export interface RssSampler {
  stop(): Record<string, RssFigures>;
  /** The latest VmRSS of each process (MiB), this process left out. */
  current(): Record<string, number>;
}

const round = (mib: number | undefined): number | null => (mib === undefined ? null : Math.round(mib * 10) / 10);

/** Samples the processes every intervalMs (and once at start and stop); `self` is labelled as the bench itself. */
export function sampleRss(pids: readonly number[], { intervalMs = 500, procDir = '/proc', self = process.pid }: { intervalMs?: number; procDir?: string; self?: number } = {}): RssSampler {
  const tracked = new Map<number, { command: string; start?: number; peak?: number; last?: number }>();
  for (const pid of new Set([...pids, self])) {
    const argv = readArgv(procDir, pid);
    tracked.set(pid, { command: pid === self ? `${processLabel(argv ?? ['bench'])} (this process)` : argv ? processLabel(argv) : '(not running)' });
  }
  const sample = () => {
    for (const [pid, figures] of tracked) {
      let mib: number | undefined;
      try {
        mib = parseVmRss(readFileSync(join(procDir, String(pid), 'status'), 'utf8'));
      } catch {
        // Gone (or never there): its figures stop where they were.
      }
      if (mib === undefined) continue;
      figures.start ??= mib;
      figures.peak = Math.max(figures.peak ?? 0, mib);
      figures.last = mib;
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    current: () =>
      Object.fromEntries([...tracked.entries()].flatMap(([pid, f]) => (pid === self || f.last === undefined ? [] : [[String(pid), Math.round(f.last * 10) / 10]]))),
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(
        [...tracked.entries()].map(([pid, f]) => [String(pid), { command: f.command, startMiB: round(f.start), peakMiB: round(f.peak), endMiB: round(f.last) }]),
      );
    },
  };
}
