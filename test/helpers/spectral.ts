import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';

/** The ruleset the contract is held to: Spectral's own `spectral:oas`, nothing relaxed. */
export const SPECTRAL_RULESET = join(projectRoot, 'test', 'integration', 'spectral.yaml');

/** One finding of `spectral lint -f json` (severity 0 error, 1 warning, 2 info, 3 hint). */
export interface SpectralFinding {
  code: string;
  message: string;
  path: string[];
  severity: number;
}

/** Lints an OpenAPI document with the project's pinned Spectral CLI (a devDependency) and returns its findings. */
export async function lintOpenApi(document: unknown): Promise<{ findings: SpectralFinding[]; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'petstore-spectral-'));
  const file = join(dir, 'openapi.json');
  const report = join(dir, 'report.json');
  writeFileSync(file, JSON.stringify(document, null, 2));
  const cli = join(projectRoot, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [cli, 'lint', file, '--ruleset', SPECTRAL_RULESET, '--format', 'json', '--output', report, '--fail-severity', 'hint', '--quiet'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      // Exit 1 is "findings at or above the fail severity": the report says which.
      child.on('close', () => resolve(text));
    });
    let findings: SpectralFinding[];
    try {
      findings = JSON.parse(readFileSync(report, 'utf8')) as SpectralFinding[];
    } catch {
      throw new Error(`spectral wrote no report:\n${output}`);
    }
    return { findings, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Findings as lines for people: severity, rule, where, what. */
export const describeFindings = (findings: readonly SpectralFinding[]): string =>
  findings.map((f) => `${['error', 'warning', 'info', 'hint'][f.severity] ?? f.severity} ${f.code} at ${f.path.join('.')}: ${f.message}`).join('\n');
