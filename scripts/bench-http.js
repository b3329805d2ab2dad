// `npm run bench:http [-- options]`: the HTTP read benchmark (bench/http/run.ts), run from the
// compiled dist/ code, built first when a source is newer. `-- --help` lists the options.
'use strict';
const { join } = require('node:path');
const { ensureReady, root } = require('./bootstrap');

ensureReady();
require(join(root, 'dist', 'bench', 'http', 'run.js'))
  .main(process.argv.slice(2))
  .then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`bench:http: ${error.stack ?? error}\n`);
      process.exit(1);
    },
  );
