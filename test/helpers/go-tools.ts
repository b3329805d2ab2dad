import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';

/**
 * The path of a Go tool the tests run (helm), from scripts/ensure-go-tool.js: cached by
 * version outside the checkout, built with `go install` when missing (`npm test` builds them before jest).
 */
export function goTool(name: 'helm'): string {
  return execFileSync(process.execPath, [join(projectRoot, 'scripts', 'ensure-go-tool.js'), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
