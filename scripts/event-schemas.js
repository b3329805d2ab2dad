// `npm run events:schemas`: regenerates contracts/schemas/events/<type>/v<n>.json, the JSON Schema of
// every version of every event's data, from the compiled catalogue (built first when a source is newer).
// Run it after a change to an event's schema and commit the result; npm test fails while they differ.
'use strict';
const { join } = require('node:path');
const { ensureReady, root } = require('./bootstrap');

ensureReady();
const { writeEventSchemas } = require(join(root, 'dist', 'kafka', 'event-contract'));

const changed = writeEventSchemas();
process.stderr.write(changed.length ? `wrote ${changed.join('\n      ')}\n` : 'unchanged: contracts/schemas/events\n');
