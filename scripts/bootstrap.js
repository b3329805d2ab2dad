// Makes a fresh clone runnable with nothing installed beforehand: installs the locked
// dependencies when they are missing or stale, and compiles the TypeScript when a source
// is newer than the build. Plain Node, no dependencies: it runs before there are any.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
// Everything tsconfig.build.json compiles; keep in step with its include list.
const SOURCE_DIRS = ['activities', 'api', 'bench', 'cli', 'db', 'domain', 'kafka', 'lib', 'runtime', 'services', 'stack', 'support', 'workflows'];

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', process.stderr, 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`petstore: "${command} ${args.join(' ')}" failed (exit ${result.status ?? result.signal})\n`);
    process.exit(1);
  }
}

function installedDigest() {
  const marker = join(root, 'node_modules', '.petstore-installed');
  return existsSync(marker) ? readFileSync(marker, 'utf8') : undefined;
}

/** Runs fn while holding a lock folder, so two commands started at once do not install over each other. */
function withLock(name, fn) {
  const lock = join(root, `.${name}.lock`);
  const deadline = Date.now() + 10 * 60 * 1000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the deadline belongs to a crashed run.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 10 * 60 * 1000) rmSync(lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function ensureInstalled() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).update(readFileSync(join(root, 'package.json'))).digest('hex');
  if (installedDigest() === digest) return;
  withLock('install', () => {
    if (installedDigest() === digest) return; // another command installed while we waited
    process.stderr.write('petstore: installing dependencies (npm ci)\n');
    run('npm', ['ci', '--no-audit', '--no-fund']);
    writeFileSync(join(root, 'node_modules', '.petstore-installed'), digest);
  });
}

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  const stamp = join(root, 'dist', '.tsbuildinfo');
  const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
  const configs = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => statSync(join(root, f)).mtimeMs);
  const newest = Math.max(...configs, ...SOURCE_DIRS.map((d) => newestSource(join(root, d))));
  if (built >= newest && existsSync(join(root, 'dist', 'cli', 'index.js'))) return;
  withLock('build', () => {
    process.stderr.write('petstore: compiling TypeScript\n');
    const began = new Date();
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);
    // tsc leaves its build info untouched when no output changed; stamp it so the next run skips the build.
    if (existsSync(stamp)) utimesSync(stamp, began, began);
  });
}

// The storefront (web/) is bundled by esbuild into dist/web, when a file of it or its build script is newer.
function ensureWebBuilt() {
  const index = join(root, 'dist', 'web', 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const inputs = [join(root, 'scripts', 'build-web.js'), join(root, 'package-lock.json'), join(root, 'web', 'index.html')].map((f) => statSync(f).mtimeMs);
  const newest = Math.max(...inputs, newestFile(join(root, 'web', 'src')));
  if (built >= newest) return;
  withLock('build-web', () => {
    process.stderr.write('petstore: building the storefront (esbuild)\n');
    run(process.execPath, [join(root, 'scripts', 'build-web.js')]);
  });
}

function newestFile(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestFile(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Installs and builds as needed; cheap when everything is current. */
function ensureReady() {
  ensureInstalled();
  ensureBuilt();
  ensureWebBuilt();
}

module.exports = { ensureReady, root };
