// The storefront's browser tests drive Debian's Chromium, never a downloaded browser: this installs
// the `chromium` package when /usr/bin/chromium is missing (apt-get as root, else through sudo).
// Plain Node, no dependencies; `npm test` runs it before jest, and it costs nothing once installed.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');

/** Where Debian's chromium package puts the browser (test/helpers/browser.ts launches it). */
const CHROMIUM = '/usr/bin/chromium';

function apt(args) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [command, argv] = asRoot ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]];
  process.stderr.write(`petstore: ${command} ${argv.join(' ')}\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  return spawnSync(command, argv, { stdio: ['ignore', process.stderr, 'inherit'], env }).status === 0;
}

/** Installs Chromium when it is missing; exits with what to do when it cannot. */
function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  process.stderr.write(`petstore: ${CHROMIUM} is missing; installing Debian's chromium package for the storefront's browser tests\n`);
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  // A fresh machine's package lists may be missing: update once and try again.
  if (!apt(install) && !(apt(['update']) && apt(install))) {
    process.stderr.write('petstore: could not install chromium; run `apt-get install -y chromium` as root\n');
    process.exit(1);
  }
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`petstore: the chromium package is installed, but ${CHROMIUM} is missing\n`);
    process.exit(1);
  }
}

module.exports = { ensureChromium, CHROMIUM };

if (require.main === module) ensureChromium();
