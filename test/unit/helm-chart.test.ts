// The Helm chart (deploy/helm/petstore), linted and rendered by the real helm (scripts/ensure-go-tool.js),
// and its objects checked against the code: the roles `petstore serve` has, the settings lib/config.ts reads,
// the probes the API and the internal listener answer, and no secret value in any manifest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig, projectRoot } from '../../lib/config';
import { ROLES } from '../../runtime/serve';
import { SERVICE_NAMES } from '../../services';
import { CONFIG_READS, SECRET_VARS } from '../helpers/config-reads';
import { goTool } from '../helpers/go-tools';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: string };
  tcpSocket?: { port: string };
}
interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env: EnvVar[];
  ports?: { name: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { replicas?: number; template: { metadata: { annotations?: Record<string, string> }; spec: PodSpec }; ports?: { targetPort: string }[]; selector?: Record<string, string> };
}

const CHART = join(projectRoot, 'deploy', 'helm', 'petstore');
let helm: string;

function runHelm(args: string[]) {
  const result = spawnSync(helm, args, { encoding: 'utf8', cwd: projectRoot });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function render(set: string[] = []): K8sObject[] {
  const result = runHelm(['template', 'shop', CHART, '--namespace', 'petstore', ...set.flatMap((s) => ['--set', s])]);
  expect([result.status, result.stderr]).toEqual([0, '']);
  return parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

const flag = (args: string[], name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const plainEnv = (c: Container) => Object.fromEntries(c.env.filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));
/** The container's environment as the process sees it, each secret stood in for by a value of the right shape. */
/** Values of the right form for the secrets whose form the config checks. */
const KEY = Buffer.alloc(32, 7).toString('base64');
const SAMPLE_SECRETS: Record<string, string> = {
  DATABASE_URL: 'postgres://petstore:pw@db.internal:5432/petstore',
  TEMPORAL_CODEC_KEYS: `k1:${KEY}`,
  PAYMENT_TOKEN_KEYS: `k1:${KEY}`,
  REQUEST_HASH_KEY: KEY,
};
const asProcessEnv = (c: Container) => ({
  ...plainEnv(c),
  ...Object.fromEntries(
    c.env
      .filter((e) => e.valueFrom && !e.valueFrom.secretKeyRef?.optional)
      .map((e) => [e.name, SAMPLE_SECRETS[e.name] ?? 'x'.repeat(48)]),
  ),
});
const portNamed = (c: Container, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;
const podContainers = (o: K8sObject) => [...(o.spec.template.spec.initContainers ?? []), ...o.spec.template.spec.containers];

beforeAll(() => {
  helm = goTool('helm');
}, 900_000);

describe('the Helm chart', () => {
  let objects: K8sObject[];
  let deployments: K8sObject[];
  beforeAll(() => {
    objects = render();
    deployments = objects.filter((o) => o.kind === 'Deployment');
  }, 120_000);

  it('passes helm lint --strict', () => {
    const result = runHelm(['lint', '--strict', CHART]);
    expect([result.status, result.stdout + result.stderr]).toEqual([0, expect.stringContaining('1 chart(s) linted, 0 chart(s) failed')]);
  }, 120_000);

  it('renders the API, the relay, the saga workers, one consumer Deployment per service, the API Service and the setup Job', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(
      [
        'Deployment/shop-petstore-api',
        'Deployment/shop-petstore-relay',
        'Deployment/shop-petstore-worker',
        ...SERVICE_NAMES.map((s) => `Deployment/shop-petstore-consumers-${s}`),
        'Service/shop-petstore-api',
        'Job/shop-petstore-setup',
      ].sort(),
    );
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('runs each role of `petstore serve` that the code has, the worker with the orders service and consumers for every service', () => {
    const commands = deployments.map((d) => d.spec.template.spec.containers[0]!);
    for (const c of commands) {
      expect(c.command).toEqual(['node', 'dist/cli/index.js']);
      expect(c.args[0]).toBe('serve');
      for (const role of flag(c.args, '--only')!.split(',')) expect(ROLES).toContain(role);
      for (const service of flag(c.args, '--service')?.split(',') ?? []) expect(SERVICE_NAMES).toContain(service);
    }
    expect([...new Set(commands.map((c) => flag(c.args, '--only')))].sort()).toEqual([...ROLES].sort());
    expect(commands.filter((c) => flag(c.args, '--only') === 'worker').map((c) => flag(c.args, '--service'))).toEqual(['orders']);
    const consumers = commands.filter((c) => flag(c.args, '--only') === 'consumers').map((c) => flag(c.args, '--service'));
    expect(consumers.sort()).toEqual([...SERVICE_NAMES].sort());
  });

  it('probes the API on /healthz and /readyz at PORT, the other roles on their internal listener at METRICS_PORT', () => {
    for (const deployment of deployments) {
      const c = deployment.spec.template.spec.containers[0]!;
      const config = loadConfig(asProcessEnv(c));
      expect(config.http.host).toBe('0.0.0.0');
      expect(config.metrics.host).toBe('0.0.0.0');
      expect(portNamed(c, 'metrics')).toBe(config.metrics.port);
      expect(deployment.spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(config.metrics.port), 'prometheus.io/path': '/metrics' });
      if (flag(c.args, '--only') === 'api') {
        expect(portNamed(c, 'http')).toBe(config.http.port);
        expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
        expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
        expect(c.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      } else {
        expect(portNamed(c, 'http')).toBeUndefined();
        expect(c.readinessProbe?.httpGet).toEqual({ path: '/metrics', port: 'metrics' });
        expect(c.livenessProbe?.tcpSocket).toEqual({ port: 'metrics' });
      }
    }
    const worker = deployments.find((d) => d.metadata.name.endsWith('-worker'))!.spec.template.spec.containers[0]!;
    expect(portNamed(worker, 'temporal-metrics')).toBe(loadConfig(asProcessEnv(worker)).metrics.temporalPort);
    const service = objects.find((o) => o.kind === 'Service')!;
    expect(service.spec.ports!.map((p) => p.targetPort)).toEqual(['http']);
  });

  it('sets only environment variables that lib/config.ts reads, and the process starts with them', () => {
    expect(CONFIG_READS.size).toBeGreaterThan(50);
    for (const object of [...deployments, objects.find((o) => o.kind === 'Job')!]) {
      for (const c of podContainers(object)) {
        for (const { name } of c.env) expect([c.name, name, CONFIG_READS.has(name)]).toEqual([c.name, name, true]);
        const config = loadConfig(asProcessEnv(c));
        expect(config.kafka.external && config.temporal.external).toBe(true);
        expect(config.kafka.brokers).toEqual(['kafka-0.kafka.kafka.svc:9092']);
        expect(config.temporal.address).toBe('temporal-frontend.temporal.svc:7233');
      }
    }
  });

  it('gives every container resources: requests, and a memory limit', () => {
    for (const object of [...deployments, objects.find((o) => o.kind === 'Job')!]) {
      for (const c of podContainers(object)) {
        expect([object.metadata.name, c.resources?.requests]).toEqual([object.metadata.name, { cpu: expect.any(String), memory: expect.any(String) }]);
        expect([object.metadata.name, c.resources?.limits?.memory]).toEqual([object.metadata.name, expect.any(String)]);
        expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
      }
    }
  });

  it('takes every secret from the existing Secret by reference, never a value', () => {
    const logins = ['INVENTORY', 'ORDERS', 'PAYMENTS', 'NOTIFICATIONS', 'RELAY', 'GATEWAY', 'EDGE'].map((login) => `DATABASE_PASSWORD_${login}`);
    expect(SECRET_VARS).toEqual(new Set(['JWT_SECRET', 'DATABASE_URL', 'TEMPORAL_CODEC_KEYS', 'PAYMENT_TOKEN_KEYS', 'REQUEST_HASH_KEY', 'SMTP_URL', 'WEBHOOK_SECRET', 'KAFKA_SASL_PASSWORD', 'TEMPORAL_API_KEY', 'OIDC_CLIENT_SECRET', ...logins]));
    for (const object of [...deployments, objects.find((o) => o.kind === 'Job')!]) {
      for (const c of podContainers(object)) {
        for (const name of SECRET_VARS) {
          const entry = c.env.find((e) => e.name === name);
          expect([name, entry?.value, entry?.valueFrom?.secretKeyRef?.name]).toEqual([name, undefined, 'petstore']);
        }
        const required = c.env.filter((e) => e.valueFrom?.secretKeyRef && !e.valueFrom.secretKeyRef.optional).map((e) => e.name);
        expect(required.sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'PAYMENT_TOKEN_KEYS', 'REQUEST_HASH_KEY', 'TEMPORAL_CODEC_KEYS']);
      }
    }
    // A secret given as a plain setting is refused, not rendered.
    const leaked = runHelm(['template', 'shop', CHART, '--set', 'env.JWT_SECRET=not-here-0123456789-0123456789-0123456789']);
    expect(leaked.status).not.toBe(0);
    expect(leaked.stderr).toMatch(/JWT_SECRET.*secrets/);
  });

  it('migrates and creates the topics and search attributes in a hook before each install and upgrade', () => {
    const job = objects.find((o) => o.kind === 'Job')!;
    expect(job.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'pre-install,pre-upgrade' });
    const [migrate] = job.spec.template.spec.initContainers!;
    expect(migrate!.args).toEqual(['migrate']);
    // With every endpoint set, `stack start` starts nothing; Mailpit is the local stack's, left out.
    expect(job.spec.template.spec.containers[0]!.args).toEqual(['stack', 'start', '--only', 'postgres,kafka,temporal']);
  });

  it('sets PETSTORE_NAMESPACE from the values: the task queue, topics and groups are prefixed', () => {
    const [api] = render(['namespace=staging', 'secrets.name=shop-secrets']).filter((o) => o.kind === 'Deployment');
    const c = api!.spec.template.spec.containers[0]!;
    expect(plainEnv(c).PETSTORE_NAMESPACE).toBe('staging');
    expect(loadConfig(asProcessEnv(c)).temporal.taskQueue).toBe('staging.petstore');
    expect(new Set(c.env.filter((e) => e.valueFrom).map((e) => e.valueFrom!.secretKeyRef!.name))).toEqual(new Set(['shop-secrets']));
  }, 60_000);

  it('refuses to render without the Secret or an endpoint', () => {
    for (const set of ['secrets.name=', 'kafka.brokers=', 'temporal.address=']) {
      const result = runHelm(['template', 'shop', CHART, '--set', set]);
      expect([set, result.status === 0]).toEqual([set, false]);
      expect(result.stderr).toMatch(/is required/);
    }
  }, 120_000);
});
