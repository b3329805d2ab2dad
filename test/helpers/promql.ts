import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { projectRoot } from '../../lib/config';

/** One PromQL expression of the committed dashboards and alert rules, and where it is. */
export interface Expression {
  where: string;
  expr: string;
}

export const DASHBOARD_FILE = join(projectRoot, 'deploy', 'grafana', 'dashboards', 'petstore.json');
export const ALERTS_FILE = join(projectRoot, 'deploy', 'prometheus', 'alerts.yml');

interface Panel {
  id?: number;
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string; refId?: string; datasource?: { uid?: string } }[];
  panels?: Panel[];
}
export interface Dashboard {
  uid: string;
  panels: Panel[];
}

export const readDashboard = (): Dashboard => JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every panel, those inside rows included. */
export function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
}

/** The expression of every panel's every query. */
export function dashboardExpressions(dashboard: Dashboard): Expression[] {
  return allPanels(dashboard.panels).flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel "${panel.title}" query ${target.refId}`, expr: target.expr ?? '' })));
}

/** Prometheus's rule file format for alerting rules (recording rules are not used here). */
const ALERTS_SCHEMA = {
  type: 'object',
  required: ['groups'],
  additionalProperties: false,
  properties: {
    groups: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'rules'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1 },
          interval: { type: 'string', pattern: '^\\d+[smhd]$' },
          rules: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['alert', 'expr', 'labels', 'annotations'],
              additionalProperties: false,
              properties: {
                alert: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
                expr: { type: 'string', minLength: 1 },
                for: { type: 'string', pattern: '^(\\d+[smhd])+$' },
                keep_firing_for: { type: 'string', pattern: '^(\\d+[smhd])+$' },
                labels: { type: 'object', required: ['severity'], properties: { severity: { enum: ['page', 'ticket'] } }, additionalProperties: { type: 'string' } },
                annotations: { type: 'object', required: ['summary', 'description'], additionalProperties: { type: 'string', minLength: 1 } },
              },
            },
          },
        },
      },
    },
  },
} as const;

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface AlertRules {
  groups: { name: string; rules: AlertRule[] }[];
}

/** Checks a rule file's shape: the errors, none when it is one Prometheus loads. */
export const validateAlertRules = new Ajv({ allErrors: true }).compile<AlertRules>(ALERTS_SCHEMA);

export const readAlertRules = (): unknown => parse(readFileSync(ALERTS_FILE, 'utf8')) as unknown;

/** The expression of every alert rule. */
export function alertExpressions(rules: AlertRules): Expression[] {
  return rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr })));
}

// Grafana's interval variables, replaced by a duration before the expression is parsed, as Grafana does before sending it.
const GRAFANA_VARIABLES = /\$__(rate_interval|interval|range)\b/g;

/**
 * Parses one expression with Prometheus's own PromQL grammar (lezer-promql, the parser of
 * Prometheus's UI): syntax errors, and the metric names its selectors name.
 */
export function parsePromql(expression: string): { errors: string[]; metrics: string[] } {
  const expr = expression.replace(GRAFANA_VARIABLES, '5m');
  const errors: string[] = [];
  const metrics = new Set<string>();
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: ...${expr.slice(Math.max(0, node.from - 20), node.from + 20)}...`);
      if (node.name === 'VectorSelector') {
        const name = node.node.getChild('Identifier');
        if (name) metrics.add(expr.slice(name.from, name.to));
        // {__name__=~"..."} could name anything: every selector must name its metric.
        else errors.push(`a selector without a metric name: ${expr.slice(node.from, node.to)}`);
      }
    },
  });
  if (expr.trim() === '') errors.push('empty expression');
  return { errors, metrics: [...metrics] };
}

/** The metric families a /metrics page in Prometheus text format exports, with their types where it says (# TYPE). */
export function exportedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const line of text.split('\n')) {
    const typed = /^# TYPE (\S+) (\S+)/.exec(line);
    if (typed) families.set(typed[1]!, typed[2]!);
    else if (line && !line.startsWith('#')) {
      const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (name && !families.has(name)) families.set(name, 'untyped');
    }
  }
  return families;
}

/** True when `name` is a series of an exported family: the family itself, or a histogram's _bucket, _count or _sum. */
export function isExported(name: string, families: ReadonlyMap<string, string>): boolean {
  if (families.has(name)) return true;
  const series = /^(.+)_(bucket|count|sum)$/.exec(name);
  return series !== null && ['histogram', 'summary'].includes(families.get(series[1]!) ?? '');
}
