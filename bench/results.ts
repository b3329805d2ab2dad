// Result files: every run writes its JSON report, so runs can be compared later; the saga bench
// looks up a ceiling figure from one of them.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CeilingReport } from './report';

/** Writes a report as pretty JSON, creating the folder. */
export function writeReport(file: string, report: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** A ceiling result as found on disk. */
export interface FoundCeiling {
  file: string;
  report: CeilingReport;
}

/** A file that cannot serve as the ceiling: missing, not JSON, or not a ceiling result. */
export class CeilingFileError extends Error {
  override name = 'CeilingFileError';
}

const isCeiling = (value: unknown): value is CeilingReport =>
  typeof value === 'object' && value !== null && (value as CeilingReport).kind === 'ceiling' && typeof (value as CeilingReport).ceiling === 'number';

/** Reads a ceiling result file named by the user (--ceiling-from). */
export function readCeiling(file: string): FoundCeiling {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CeilingFileError(`--ceiling-from ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!isCeiling(parsed)) throw new CeilingFileError(`--ceiling-from ${file} is not a \`petstore bench --ceiling\` result`);
  return { file, report: parsed };
}

/** Of the candidates, the newest ceiling result that started on the given UTC day (YYYY-MM-DD). */
export function newestCeilingOfDay(candidates: readonly FoundCeiling[], day: string): FoundCeiling | undefined {
  return candidates
    .filter((c) => c.report.startedAt.slice(0, 10) === day)
    .sort((a, b) => a.report.finishedAt.localeCompare(b.report.finishedAt))
    .at(-1);
}

/** The newest ceiling result of `now`'s UTC day in a folder, if any (unreadable files are passed over). */
export function findCeiling(dir: string, now: Date): FoundCeiling | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return undefined;
  }
  const candidates: FoundCeiling[] = [];
  for (const name of names) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(join(dir, name), 'utf8'));
      if (isCeiling(parsed)) candidates.push({ file: join(dir, name), report: parsed });
    } catch {
      // Not ours, or half-written by a run still going: not a candidate.
    }
  }
  return newestCeilingOfDay(candidates, now.toISOString().slice(0, 10));
}
