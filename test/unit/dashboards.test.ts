import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../lib/config';
import { alertExpressions, allPanels, dashboardExpressions, parsePromql, readAlertRules, readDashboard, validateAlertRules, type AlertRules } from '../helpers/promql';

// The committed dashboard and alert rules (deploy/), parsed with Prometheus's PromQL grammar; that each
// metric they name is one the system exports is checked against a running system in test/integration/metrics.test.ts.
describe('the Grafana dashboard and the Prometheus alert rules', () => {
  const dashboard = readDashboard();
  const rules = readAlertRules();

  it('the alert rules have the shape Prometheus loads: groups of rules with alert, expr, for, a severity and a summary', () => {
    expect([validateAlertRules(rules), validateAlertRules.errors ?? null]).toEqual([true, null]);
    const names = alertExpressions(rules as AlertRules).map((e) => e.where);
    expect(new Set(names).size).toBe(names.length);
  });

  it('the shape check bites: a rule without expr, a bad duration or an unknown key fails it', () => {
    const rule = { alert: 'X', expr: 'up', labels: { severity: 'page' }, annotations: { summary: 's', description: 'd' } };
    expect(validateAlertRules({ groups: [{ name: 'g', rules: [rule] }] })).toBe(true);
    expect(validateAlertRules({ groups: [{ name: 'g', rules: [{ ...rule, expr: undefined }] }] })).toBe(false);
    expect(validateAlertRules({ groups: [{ name: 'g', rules: [{ ...rule, for: '5 minutes' }] }] })).toBe(false);
    expect(validateAlertRules({ groups: [{ name: 'g', rules: [{ ...rule, anotations: {} }] }] })).toBe(false);
  });

  it('covers stuck sagas, dead letters, outbox lag, consumer lag and the error rate', () => {
    const byName = Object.fromEntries(alertExpressions(rules as AlertRules).map((e) => [e.where, parsePromql(e.expr).metrics]));
    expect(byName['alert PetstoreCompensationStuck']).toEqual(['petstore_saga_compensations_total']);
    expect(byName['alert PetstoreSagasNotSettling']).toEqual(expect.arrayContaining(['petstore_saga_step_duration_seconds_count']));
    expect(byName['alert PetstoreDeadLettersGrowing']).toEqual(['petstore_dead_letter_messages']);
    expect(byName['alert PetstoreOutboxLag']).toEqual(['petstore_outbox_oldest_unpublished_age_seconds']);
    expect(byName['alert PetstoreConsumerLag']).toEqual(['petstore_consumer_lag_messages']);
    expect(byName['alert PetstoreHttpErrorRate']).toEqual(['petstore_http_request_duration_seconds_count']);
  });

  it.each([...dashboardExpressions(dashboard), ...alertExpressions(rules as AlertRules)].map((e) => [e.where, e.expr]))('%s is valid PromQL naming its metrics', (_where, expr) => {
    const { errors, metrics } = parsePromql(expr);
    expect(errors).toEqual([]);
    expect(metrics.length).toBeGreaterThan(0);
    for (const name of metrics) expect(name).toMatch(/^(petstore|temporal)_/);
  });

  it('the parser bites: unbalanced brackets, a missing range, a selector without a name are errors', () => {
    expect(parsePromql('rate(petstore_orders[5m]').errors).not.toEqual([]);
    expect(parsePromql('sum by (status) petstore_orders)').errors).not.toEqual([]);
    expect(parsePromql('rate(petstore_orders[])').errors).not.toEqual([]);
    expect(parsePromql('{__name__=~"petstore_.+"}').errors).not.toEqual([]);
    expect(parsePromql('histogram_quantile(0.9, sum by (le) (rate(a_bucket[$__rate_interval]))) / b').metrics).toEqual(['a_bucket', 'b']);
  });

  it('shows orders by status, saga latency, compensations, outbox lag, consumer lag, dead letters, HTTP and temporal_*', () => {
    const named = new Set(dashboardExpressions(dashboard).flatMap((e) => parsePromql(e.expr).metrics));
    for (const metric of [
      'petstore_orders',
      'petstore_saga_step_duration_seconds_bucket',
      'petstore_saga_compensations_total',
      'petstore_outbox_oldest_unpublished_age_seconds',
      'petstore_consumer_lag_messages',
      'petstore_dead_letter_messages',
      'petstore_http_request_duration_seconds_count',
    ]) {
      expect([metric, named.has(metric)]).toEqual([metric, true]);
    }
    expect([...named].filter((m) => m.startsWith('temporal_')).length).toBeGreaterThanOrEqual(4);
  });

  it("queries only the provisioned data source, with unique panel ids, as the provisioning's dashboard folder", () => {
    const datasources = parse(readFileSync(join(projectRoot, 'deploy', 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: { uid: string; type: string }[] };
    const [source] = datasources.datasources;
    const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(10);
    for (const panel of panels) {
      expect([panel.title, panel.datasource]).toEqual([panel.title, { type: source!.type, uid: source!.uid }]);
      for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe(source!.uid);
    }
    const ids = allPanels(dashboard.panels).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
