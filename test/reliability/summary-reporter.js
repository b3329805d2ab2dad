// Prints the reliability suite's summary table at the end of the run, from the rows each test
// file appended (test/reliability/outcomes.ts). Plain JavaScript: jest loads reporters untransformed.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const OUTCOMES_FILE = join(__dirname, '..', '..', '.petstore', 'reliability', 'outcomes.ndjson');
const COLUMNS = [
  ['test', (o) => o.test],
  ['runs', (o) => o.runs],
  ['orders', (o) => o.orders],
  ['oversells', (o) => o.oversells],
  ['double charges', (o) => o.doubleCharges],
  ['lost events', (o) => o.lostEvents],
  ['dup. effects', (o) => o.duplicateEffects],
  ['time', (o) => `${(o.ms / 1000).toFixed(1)}s`],
  ['notes', (o) => o.note ?? ''],
];

class ReliabilitySummaryReporter {
  onRunComplete() {
    if (!existsSync(OUTCOMES_FILE)) return;
    const rows = readFileSync(OUTCOMES_FILE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line));
    if (rows.length === 0) return;
    const cells = [COLUMNS.map(([name]) => name), ...rows.map((row) => COLUMNS.map(([, get]) => String(get(row))))];
    const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
    const line = (r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
    const total = rows.reduce((t, o) => ({ runs: t.runs + o.runs, orders: t.orders + o.orders, bad: t.bad + o.oversells + o.doubleCharges + o.lostEvents + o.duplicateEffects }), { runs: 0, orders: 0, bad: 0 });
    process.stdout.write(
      `\nReliability summary\n${line(cells[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${cells.slice(1).map(line).join('\n')}\n` +
        `${total.runs} runs, ${total.orders} orders, ${total.bad} violations\n\n`,
    );
  }
}

module.exports = ReliabilitySummaryReporter;
