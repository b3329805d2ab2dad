// `npm run api:types`: regenerates cli/api-types.ts, the TypeScript types of the public OpenAPI document
// (openapi-typescript), from the compiled routes (built first when a source is newer). Run it after a
// change to a route or a schema and commit the result; npm test fails while the two differ.
'use strict';
const { join } = require('node:path');
const { ensureReady, root } = require('./bootstrap');

ensureReady();
const { API_TYPES_FILE, writeApiTypes } = require(join(root, 'dist', 'api', 'contract'));

writeApiTypes().then(
  (changed) => process.stderr.write(`${changed ? 'wrote' : 'unchanged:'} ${API_TYPES_FILE}\n`),
  (error) => {
    process.stderr.write(`api:types failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
