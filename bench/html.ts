// The saga bench's report as one self-contained HTML page (inline SVG, no script, no outside file), so a
// person looks rather than reads: throughput, latency, refusals and memory over time, CPU per component.
import { CPU_COMPONENTS } from './cpu';
import type { SagaReport, TimelinePoint } from './report';

const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined ? '–' : Number(n.toFixed(digits)).toString());

interface Series {
  name: string;
  colour: string;
  values: (number | null)[];
}

const W = 640;
const H = 200;
const PAD = { left: 52, right: 12, top: 12, bottom: 28 };

/** A line chart of some series over the run's seconds, with labelled axes. */
function lineChart(title: string, unit: string, seconds: number[], series: Series[]): string {
  const max = Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const last = Math.max(1, seconds[seconds.length - 1] ?? 1);
  const x = (s: number) => PAD.left + (s / last) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const paths = series.map((s) => {
    const points = s.values.map((v, i) => (v === null ? null : `${x(seconds[i]!).toFixed(1)},${y(v).toFixed(1)}`)).filter(Boolean);
    return `<polyline fill="none" stroke="${s.colour}" stroke-width="1.8" points="${points.join(' ')}"/>`;
  });
  const ticks = [0, 0.5, 1].map((f) => `<text x="${PAD.left - 6}" y="${y(max * f) + 4}" text-anchor="end">${fmt(max * f, max < 10 ? 1 : 0)}</text>`);
  const legend = series.map((s, i) => `<text x="${PAD.left + 8 + i * 120}" y="${PAD.top + 10}" fill="${s.colour}">■ ${escape(s.name)}</text>`);
  return `<figure><figcaption>${escape(title)} (${escape(unit)})</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${escape(title)}">
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#999"/><line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#999"/>
${ticks.join('')}<text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${last} s</text><text x="${PAD.left}" y="${H - 8}">0 s</text>
${paths.join('\n')}${legend.join('')}</svg></figure>`;
}

/** Horizontal bars of CPU ms per confirmed order by component. */
function cpuBars(r: SagaReport): string {
  const rows = CPU_COMPONENTS.map((c) => ({ name: c, ms: r.cpuMsPerOrder[c], idle: r.idleCpuPercent[c] }));
  const max = Math.max(1, ...rows.map((row) => row.ms ?? 0));
  const bar = 24;
  const svgH = rows.length * (bar + 8) + 8;
  const bars = rows.map((row, i) => {
    const width = ((row.ms ?? 0) / max) * (W - 260);
    const top = 8 + i * (bar + 8);
    return `<text x="100" y="${top + 17}" text-anchor="end">${row.name}</text><rect x="108" y="${top}" width="${width.toFixed(1)}" height="${bar}" fill="#3b6ea8"/><text x="${114 + width}" y="${top + 17}">${fmt(row.ms)} ms (idle ${fmt(row.idle)} % of a core)</text>`;
  });
  return `<figure><figcaption>CPU per confirmed order: ${fmt(r.cpuMsPerOrder.total)} ms in all</figcaption><svg viewBox="0 0 ${W} ${svgH}" role="img" aria-label="CPU per confirmed order by component">${bars.join('')}</svg></figure>`;
}

/** The whole page. */
export function renderHtmlReport(r: SagaReport): string {
  const t: TimelinePoint[] = r.timeline;
  const seconds = t.map((p) => p.s);
  const pids = [...new Set(t.flatMap((p) => Object.keys(p.rssMiB)))];
  const colours = ['#7a3ea8', '#a86f3e', '#3ea88a', '#a83e5c'];
  const load = r.options.load.kind === 'rate' ? `${r.options.load.perSecond} orders/s` : `${r.options.load.inFlight} in flight`;
  const figures: [string, string][] = [
    ['confirmed orders/s', fmt(r.ordersPerSecond)],
    ['POST → confirmed p50 / p99', `${fmt(r.latencyMs.p50, 0)} / ${fmt(r.latencyMs.p99, 0)} ms`],
    ['refused (retry later)', Object.entries(r.refusals).map(([s, n]) => `${s}: ${n}`).join(', ') || 'none'],
    ['errors', Object.entries(r.errors).map(([k, n]) => `${k}: ${n}`).join(', ') || 'none'],
    ['Postgres transactions per order', fmt(r.postgresTransactionsPerOrder, 2)],
    ['Kafka requests per order', r.kafkaRequestsPerOrder ? fmt(Object.values(r.kafkaRequestsPerOrder).reduce((a, b) => a + b, 0), 2) : '–'],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>petstore bench ${escape(r.runId)}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:700px;color:#222}figure{margin:1.5rem 0}figcaption{font-weight:600;margin-bottom:.3rem}svg{width:100%;height:auto;font-size:11px}table{border-collapse:collapse}td{padding:.15rem .8rem .15rem 0}td:last-child{font-variant-numeric:tabular-nums}</style>
</head><body>
<h1>petstore bench</h1>
<p>${escape(load)} for ${fmt((r.options.durationMs ?? 0) / 1000, 0)} s against ${escape(r.apiUrl)}, run ${escape(r.runId)}, ${escape(r.startedAt)}.</p>
<table>${figures.map(([k, v]) => `<tr><td>${escape(k)}</td><td>${escape(v)}</td></tr>`).join('')}</table>
${lineChart('Throughput', 'per second', seconds, [
  { name: 'confirmed', colour: '#2f7d32', values: t.map((p) => p.confirmed) },
  { name: 'refused', colour: '#c62828', values: t.map((p) => p.refused) },
])}
${lineChart('POST → OrderConfirmed', 'ms', seconds, [
  { name: 'p50', colour: '#1565c0', values: t.map((p) => p.p50) },
  { name: 'p99', colour: '#ef6c00', values: t.map((p) => p.p99) },
])}
${lineChart('Memory of the petstore processes', 'MiB VmRSS', seconds, pids.map((pid, i) => ({ name: `pid ${pid}`, colour: colours[i % colours.length]!, values: t.map((p) => p.rssMiB[pid] ?? null) })))}
${cpuBars(r)}
</body></html>
`;
}
