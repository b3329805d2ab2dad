import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run one long-lived background process of the local stack. */
export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  runDir: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** Text that identifies our process in /proc/<pid>/cmdline (pids get reused); defaults to the command's name. */
  marker?: string;
  /** Postgres shuts down fastest and cleanly on SIGINT; the others on SIGTERM. */
  stopSignal?: NodeJS.Signals;
}

/** A background process that outlives the CLI that started it, tracked by a pid file. */
export interface Daemon {
  readonly logFile: string;
  /** The pid when our process is alive; a stale pid file (crash, reboot, reused pid) is removed. */
  pid(): number | undefined;
  start(): number;
  /** Stops the process group; escalates to SIGKILL after the timeout. True when something was stopped. */
  stop(timeoutMs?: number): Promise<boolean>;
  /** The last lines of the log, for error messages. */
  tail(lines?: number): string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Makes a daemon handle; nothing runs until start(). */
export function daemon(spec: DaemonSpec): Daemon {
  const pidFile = join(spec.runDir, `${spec.name}.pid`);
  const logFile = join(spec.runDir, `${spec.name}.log`);

  const pid = (): number | undefined => {
    if (!existsSync(pidFile)) return undefined;
    const recorded = Number(readFileSync(pidFile, 'utf8').trim());
    // A pid is only ours if it is alive and still runs our command: pids get reused.
    if (Number.isInteger(recorded) && recorded > 0 && isAlive(recorded) && commandLine(recorded).includes(spec.marker ?? basename(spec.command))) {
      return recorded;
    }
    rmSync(pidFile, { force: true });
    return undefined;
  };

  const tail = (lines = 20): string => {
    if (!existsSync(logFile)) return '';
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  };

  return {
    logFile,
    pid,
    tail,
    start() {
      mkdirSync(spec.runDir, { recursive: true });
      const out = openSync(logFile, 'a');
      try {
        const child = spawn(spec.command, spec.args, {
          cwd: spec.cwd,
          env: spec.env ?? process.env,
          uid: spec.uid,
          gid: spec.gid,
          detached: true, // own session: Ctrl-C in the terminal reaches us, not the daemon
          stdio: ['ignore', out, out],
        });
        if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command})`);
        child.unref();
        writeFileSync(pidFile, `${child.pid}\n`);
        return child.pid;
      } finally {
        closeSync(out);
      }
    },
    async stop(timeoutMs = 30_000) {
      const running = pid();
      if (running === undefined) return false;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-running, signal);
        } catch {
          try {
            process.kill(running, signal);
          } catch {
            /* already gone */
          }
        }
      };
      signalGroup(spec.stopSignal ?? 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (isAlive(running) && Date.now() < deadline) await sleep(100);
      if (isAlive(running)) {
        signalGroup('SIGKILL');
        while (isAlive(running)) await sleep(50);
      }
      rmSync(pidFile, { force: true });
      return true;
    },
  };
}
