// Go command-line tools the tests run (helm for the chart), built once with
// `go install module@version` into the user's cache, outside the checkout, one folder per version, the way
// stack/mailpit.ts builds Mailpit. Plain Node, no dependencies; `npm test` runs it before jest, and it costs
// nothing once a version is cached. Go must be on the machine (apt-get install golang-go).
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

/** The tools, pinned: bump a version here and the next run builds it beside the old one. */
const GO_TOOLS = {
  helm: { module: 'helm.sh/helm/v3/cmd/helm', version: 'v3.22.0' },
};

/** The cache root: PETSTORE_CACHE_DIR, else XDG_CACHE_HOME/petstore, else ~/.cache/petstore (as lib/config.ts). */
function cacheDir(env = process.env) {
  if (env.PETSTORE_CACHE_DIR && env.PETSTORE_CACHE_DIR.trim()) return env.PETSTORE_CACHE_DIR;
  const xdg = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.trim() ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(xdg, 'petstore');
}

/** Where a tool's binary is (or will be) cached. */
function goToolPath(name, env = process.env) {
  const tool = GO_TOOLS[name];
  if (!tool) throw new Error(`unknown Go tool "${name}" (known: ${Object.keys(GO_TOOLS).join(', ')})`);
  return join(cacheDir(env), 'go-tools', `${name}-${tool.version}`, 'bin', name);
}

/** The tool's binary, built with go install on first use (minutes on a slow machine); throws with what to do when it cannot. */
function ensureGoTool(name, env = process.env) {
  const binary = goToolPath(name, env);
  if (existsSync(binary)) return binary;
  const { module, version } = GO_TOOLS[name];
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${name} ${version} is built with Go, which is not on PATH: install Go (apt-get install golang) and run again`);
  }
  const bin = join(binary, '..');
  process.stderr.write(`petstore: building ${name} ${version} with go install into ${bin} (first run only, a few minutes)\n`);
  // GOBIN receives the binary only when the build succeeded, so a broken build leaves no half a binary.
  const result = spawnSync('go', ['install', `${module}@${version}`], { stdio: ['ignore', process.stderr, 'inherit'], env: { ...env, GOBIN: bin, GOFLAGS: '-trimpath' } });
  if (result.status !== 0 || !existsSync(binary)) throw new Error(`go install ${module}@${version} failed (exit ${result.status}); see its output above`);
  return binary;
}

module.exports = { GO_TOOLS, ensureGoTool, goToolPath };

if (require.main === module) {
  const names = process.argv.slice(2);
  try {
    for (const name of names.length ? names : Object.keys(GO_TOOLS)) process.stdout.write(`${ensureGoTool(name)}\n`);
  } catch (error) {
    process.stderr.write(`petstore: ${error.message}\n`);
    process.exit(1);
  }
}
