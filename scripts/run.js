// `npm start` and `npm test` for a fresh clone: install, build, bring up the local stack
// (reusing running parts), do the work, and stop only what this run started.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { ensureReady, root } = require('./bootstrap');
const { ensureChromium } = require('./ensure-chromium');
const { ensureGoTool, GO_TOOLS } = require('./ensure-go-tool');

const cli = join(root, 'dist', 'cli', 'index.js');

function step(name, command, args) {
  process.stderr.write(`\n== ${name}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  return result.status ?? 1;
}

function startStack() {
  const result = spawnSync(process.execPath, [cli, 'stack', 'start', '--json'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (result.status !== 0) {
    // A part failed: stop the ones this run did start, then fail.
    try {
      const { started = {} } = JSON.parse(result.stdout);
      stopStack(Object.keys(started).filter((name) => started[name] === 'started'));
    } catch {
      // nothing was reported as started
    }
    process.exit(result.status || 1);
  }
  const parts = JSON.parse(result.stdout);
  return Object.keys(parts).filter((name) => parts[name].outcome === 'started');
}

function stopStack(parts) {
  if (parts.length === 0) return;
  spawnSync(process.execPath, [cli, 'stack', 'stop', '--only', parts.join(',')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

function test(extraArgs) {
  // The storefront's browser tests drive Debian's Chromium: installed here when it is missing.
  ensureChromium();
  // The chart's tests run helm: built once into the cache when missing.
  try {
    for (const name of Object.keys(GO_TOOLS)) ensureGoTool(name);
  } catch (error) {
    process.stderr.write(`petstore: ${error.message}\n`);
    process.exit(1);
  }
  const started = startStack();
  // Ctrl-C reaches the test runner too; we wait for it, then clean up.
  process.on('SIGINT', () => undefined);
  let status = 0;
  try {
    const node = process.execPath;
    const bin = (pkg, file) => join(root, 'node_modules', pkg, 'bin', file);
    const steps = extraArgs.length
      ? // One file at a time here too: integration systems share the stack's task queue and consumer groups.
        [['jest', node, [bin('jest', 'jest.js'), '--runInBand', ...extraArgs]]]
      : [
          ['lint (eslint, with the import-direction rules)', node, [bin('eslint', 'eslint.js'), '.']],
          ['unused files, exports and dependencies (knip)', node, [bin('knip', 'knip.js')]],
          ['typecheck (tsc)', node, [bin('typescript', 'tsc'), '-p', 'tsconfig.json', '--noEmit']],
          ['typecheck the storefront (tsc, web/tsconfig.json)', node, [bin('typescript', 'tsc'), '-p', join('web', 'tsconfig.json')]],
          ['jest (unit, api, workflows, integration; one file at a time: the integration systems share the stack, its consumer groups and task queue)', node, [bin('jest', 'jest.js'), '--runInBand', '--selectProjects', 'unit', 'api', 'workflows', 'integration']],
        ];
    for (const [name, command, args] of steps) {
      status = step(name, command, args);
      if (status !== 0) break;
    }
  } finally {
    stopStack(started);
  }
  process.exit(status);
}

/** Runs jest projects one file at a time with the reliability suite's summary table; returns jest's exit status. */
function scenarios(title, projects, extraArgs) {
  const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const reporter = join(root, 'test', 'reliability', 'summary-reporter.js');
  // --selectProjects last: the option takes every name after it.
  return step(title, process.execPath, [jest, ...extraArgs, '--runInBand', '--reporters=default', `--reporters=${reporter}`, '--selectProjects', ...projects]);
}

/** The reliability suite: it provisions its own private stack (jest global setup) and prints a summary table. */
function chaos(extraArgs) {
  process.on('SIGINT', () => undefined);
  process.exit(scenarios('reliability suite (faults, load, duplicates; private stack)', ['reliability'], extraArgs));
}

/**
 * The Kafka cluster scenarios, not in CI yet (they do not meet their targets yet): broker loss on the
 * reliability suite's private stack, topic scaling on the local stack (brought up like `npm test` does).
 */
function cluster(extraArgs) {
  process.on('SIGINT', () => undefined);
  const started = startStack();
  let status = 1;
  try {
    status = scenarios('cluster scenarios (broker loss, topic scaling; not in CI yet)', ['cluster', 'cluster-scaling'], extraArgs);
  } finally {
    stopStack(started);
  }
  process.exit(status);
}

function start() {
  const child = spawn(process.execPath, [cli, 'start'], { cwd: root, stdio: 'inherit' });
  // The terminal's Ctrl-C reaches the child directly; it stops what it started and exits.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const [command, ...rest] = process.argv.slice(2);
ensureReady();
if (command === 'test') test(rest);
else if (command === 'chaos') chaos(rest);
else if (command === 'cluster') cluster(rest);
else if (command === 'start') start();
else {
  process.stderr.write('usage: node scripts/run.js start|test|chaos|cluster [jest args]\n');
  process.exit(2);
}
