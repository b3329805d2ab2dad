import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Config } from '../../lib/config';
import { ensurePythonTool, type InstalledTool } from '../../stack/python-tool';

/** The Schemathesis release the API fuzz test runs: pinned, since a release adds checks and changes what it generates. */
export const SCHEMATHESIS = { name: 'schemathesis', version: '4.32.5', module: 'schemathesis.cli' } as const;

/** Schemathesis in its venv under the download cache, pip-installed on first use (with progress on stderr). */
export const ensureSchemathesis = (config: Config): Promise<InstalledTool> =>
  ensurePythonTool(config.cacheDir, SCHEMATHESIS, (line) => process.stderr.write(`${line}\n`));

/** One kind of finding, as Schemathesis's JSON report counts it. */
export interface FuzzFailure {
  code: string;
  title: string;
  count: number;
  operations: string[];
}

/** The parts of Schemathesis's JSON run report (`--report json`) the fuzz test reads. */
export interface FuzzReport {
  exit_code: number;
  running_time: number;
  complete: boolean;
  operations: { selected: number; tested: number; errored: number; skipped: number };
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: FuzzFailure[];
  errors: unknown[];
  warnings: Record<string, string[]>;
}

/** What one `schemathesis run` left: its exit code, its console output (the failures in detail) and its report. */
export interface FuzzRun {
  exitCode: number | null;
  output: string;
  report: FuzzReport | undefined;
}

/**
 * Runs `schemathesis [globalArgs] run [runArgs]` in `cwd`, with `--report json` written to `reportPath`.
 * Proxies are bypassed so the requests go straight to the loopback address the arguments name.
 */
export function runSchemathesis(tool: InstalledTool, { globalArgs = [], runArgs, cwd, reportPath }: { globalArgs?: string[]; runArgs: string[]; cwd: string; reportPath: string }): Promise<FuzzRun> {
  const args = [...tool.args, ...globalArgs, 'run', ...runArgs, '--report', 'json', '--report-json-path', reportPath];
  return new Promise((resolve, reject) => {
    const child = spawn(tool.command, args, {
      cwd,
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      let report: FuzzReport | undefined;
      try {
        report = JSON.parse(readFileSync(reportPath, 'utf8')) as FuzzReport;
      } catch {
        // No report: Schemathesis stopped before writing it; the exit code and output say why.
      }
      resolve({ exitCode, output, report });
    });
  });
}

/** One line for people: what was tested and what was found, by check. */
export function summarize(label: string, { report, exitCode }: FuzzRun): string {
  if (!report) return `${label}: no report (schemathesis exited with ${String(exitCode)})`;
  const { operations, test_cases: cases, failures, errors } = report;
  const found = failures.length === 0 ? '0 failures' : failures.map((f) => `${f.code} ${f.title}: ${f.count} (${f.operations.join(', ')})`).join('; ');
  return (
    `${label}: ${operations.tested}/${operations.selected} operations tested, ${cases.generated} test cases, ` +
    `${found}, ${errors.length} errors, exit ${report.exit_code}, ${report.running_time.toFixed(1)}s`
  );
}
