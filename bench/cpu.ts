// CPU time of the system's processes over a run, read from /proc/<pid>/stat: each component's process
// tree (the process, its children, and the children it has reaped), sampled before the idle window,
// when the load starts and when the run ends. Reading /proc is all this does.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts whose CPU the bench accounts for. */
export const CPU_COMPONENTS = ['serve', 'temporal', 'postgres', 'kafka'] as const;
/** One of CPU_COMPONENTS. */
export type CpuComponent = (typeof CPU_COMPONENTS)[number];

/** Linux reports CPU in clock ticks of USER_HZ, which is 100 on every mainstream kernel (glibc's sysconf(_SC_CLK_TCK)). */
const TICK_MS = 10;

/** A process as /proc/<pid>/stat describes it: its parent, and its CPU (own, and of its reaped children) in ms. */
export interface ProcStat {
  ppid: number;
  ownMs: number;
  childrenMs: number;
}

/** Parses /proc/<pid>/stat; the command name in parentheses may itself hold spaces and parentheses. */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  // Fields after the name, from field 3 (state): ppid is field 4; utime, stime, cutime, cstime fields 14–17.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const at = (field: number) => Number(fields[field - 3]);
  const values = [at(4), at(14), at(15), at(16), at(17)];
  if (values.some((v) => !Number.isFinite(v))) return undefined;
  const [ppid, utime, stime, cutime, cstime] = values as [number, number, number, number, number];
  return { ppid, ownMs: (utime + stime) * TICK_MS, childrenMs: (cutime + cstime) * TICK_MS };
}

/** Every process on the machine, by pid. */
export function readAllStats(procDir = '/proc'): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let entries: string[] = [];
  try {
    entries = readdirSync(procDir);
  } catch {
    return stats;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = parseProcStat(readFileSync(join(procDir, name, 'stat'), 'utf8'));
      if (stat) stats.set(Number(name), stat);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return stats;
}

/**
 * CPU ms of a process tree: each live member's own time and the time of the children it has reaped.
 * A child that exits moves its time into its parent's reaped total, so the sum never goes backwards.
 */
export function treeCpuMs(stats: ReadonlyMap<number, ProcStat>, root: number, exclude: ReadonlySet<number> = new Set()): number | undefined {
  if (!stats.has(root)) return undefined;
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  let total = 0;
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.pop()!;
    const stat = stats.get(pid);
    // Another accounted process below this one (`petstore start` is the parent of the stack it starts) counts on its own.
    if (!stat || (pid !== root && exclude.has(pid))) continue;
    total += stat.ownMs + stat.childrenMs;
    queue.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** A process whose CPU is accounted for. */
export interface CpuProcess {
  component: CpuComponent;
  pid: number;
  command: string;
}

/** What one process used: before the load (as a share of one core) and per confirmed order. */
export interface CpuFigures extends CpuProcess {
  /** Share of one core used while idle, in percent (null without an idle window or when unreadable). */
  idlePercent: number | null;
  /** CPU ms from the start of the load to the end of the drain. */
  loadMs: number | null;
}

/** Samples the processes' CPU at the marks of a run: `idleStart`, `loadStart`, `end`. */
export interface CpuMeter {
  mark(name: 'idleStart' | 'loadStart' | 'end'): void;
  figures(): CpuFigures[];
}

/** A meter over the given processes; `read` is the whole-machine snapshot (tests pass their own). */
export function cpuMeter(processes: readonly CpuProcess[], { read = () => readAllStats(), now = () => performance.now() } = {}): CpuMeter {
  const marks = new Map<string, { at: number; cpu: Map<number, number | undefined> }>();
  return {
    mark(name) {
      const stats = read();
      const roots = new Set(processes.map((p) => p.pid));
      marks.set(name, { at: now(), cpu: new Map(processes.map((p) => [p.pid, treeCpuMs(stats, p.pid, roots)])) });
    },
    figures() {
      const idleStart = marks.get('idleStart');
      const loadStart = marks.get('loadStart');
      const end = marks.get('end');
      const used = (from: typeof end, to: typeof end, pid: number) => {
        const a = from?.cpu.get(pid);
        const b = to?.cpu.get(pid);
        return a === undefined || b === undefined ? null : Math.max(0, b - a);
      };
      return processes.map((p) => {
        const idleMs = used(idleStart, loadStart, p.pid);
        const idleWindow = idleStart && loadStart ? loadStart.at - idleStart.at : 0;
        return {
          ...p,
          idlePercent: idleMs === null || idleWindow <= 0 ? null : Math.round((idleMs / idleWindow) * 1000) / 10,
          loadMs: used(loadStart, end, p.pid),
        };
      });
    },
  };
}

/** CPU ms per confirmed order by component, and in all: the figure cost work is judged by. */
export type CpuPerOrder = Record<CpuComponent | 'total', number | null>;

/** Adds up each component's processes and divides by the confirmed orders. */
export function cpuPerOrder(figures: readonly CpuFigures[], confirmed: number): CpuPerOrder {
  const per = (ms: number | null) => (ms === null || confirmed === 0 ? null : Math.round((ms / confirmed) * 10) / 10);
  const sums = Object.fromEntries(
    CPU_COMPONENTS.map((c) => {
      const mine = figures.filter((f) => f.component === c);
      return [c, mine.length === 0 || mine.some((f) => f.loadMs === null) ? null : mine.reduce((s, f) => s + f.loadMs!, 0)];
    }),
  ) as Record<CpuComponent, number | null>;
  const known = CPU_COMPONENTS.map((c) => sums[c]).filter((v): v is number => v !== null);
  return {
    ...(Object.fromEntries(CPU_COMPONENTS.map((c) => [c, per(sums[c])])) as Record<CpuComponent, number | null>),
    total: known.length === 0 ? null : per(known.reduce((s, v) => s + v, 0)),
  };
}

/** Each component's idle CPU, summed over its processes, in percent of one core. */
export function idlePercent(figures: readonly CpuFigures[]): Record<CpuComponent, number | null> {
  return Object.fromEntries(
    CPU_COMPONENTS.map((c) => {
      const mine = figures.filter((f) => f.component === c);
      return [c, mine.length === 0 || mine.some((f) => f.idlePercent === null) ? null : Math.round(mine.reduce((s, f) => s + f.idlePercent!, 0) * 10) / 10];
    }),
  ) as Record<CpuComponent, number | null>;
}
