import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import draft7 from 'ajv/dist/refs/json-schema-draft-07.json';
import { parse } from 'yaml';
import { ENV_VARS, LOCAL_PORTS, loadConfig, projectRoot } from '../../lib/config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { ROLES } from '../../runtime/serve';
import { SERVICE_NAMES } from '../../services';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
  profiles?: string[];
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  deploy?: { replicas?: number };
  healthcheck?: { test?: string[] | string; disable?: boolean };
  volumes?: string[];
}

// Compose resolves YAML merge keys (`<<: *petstore-role`); the yaml package does when asked.
const raw = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };

/**
 * Compose's variable interpolation (`${NAME}`, `${NAME:-default}`, `${NAME-default}`, `$$`), with
 * `env` as the shell's environment: what the containers get after `docker compose up`.
 */
function interpolate<T>(value: T, env: Record<string, string> = {}): T {
  if (typeof value === 'string') {
    return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}/g, (match, name: string | undefined, colon: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const set = env[name!];
      if (fallback === undefined) return set ?? '';
      return set === undefined || (colon && set === '') ? fallback : set;
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env)) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  return value;
}
const compose = interpolate(raw);
const services = compose.services;
const hostPorts = (service: Service) => (service.ports ?? []).map((p) => Number(p.split(':').at(-2)));
const containerPorts = (service: Service) => (service.ports ?? []).map((p) => Number(p.split(':').at(-1)));
const envOf = (service: Service) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
/** Every container that runs petstore's image. */
const petstoreServices = Object.entries(services).filter(([, s]) => s.build === '.');
const scaled = Object.fromEntries(Object.entries(services).filter(([, s]) => s.profiles?.includes('scaled')));
/** The value after a flag in a service's command. */
const flag = (service: Service, name: string): string | undefined => {
  const command = service.command as string[];
  const at = command.indexOf(name);
  return at < 0 ? undefined : command[at + 1];
};

describe('docker-compose.yml against the compose specification', () => {
  // The Compose Specification's JSON schema, as the dclint package ships it (a draft-07 schema).
  const schema = JSON.parse(readFileSync(join(dirname(require.resolve('dclint/package.json')), 'schemas', 'compose.schema.json'), 'utf8')) as { $schema: string };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  // The schema names its meta-schema by the https URL; Ajv knows draft-07 by the http one.
  ajv.addMetaSchema({ ...draft7, $id: schema.$schema });
  const validate = ajv.compile(schema);

  it('is a valid compose file, before and after interpolation', () => {
    expect([validate(raw), validate.errors]).toEqual([true, null]);
    expect([validate(compose), validate.errors]).toEqual([true, null]);
  });

  it('the check bites: a misspelt key or an unknown condition fails it', () => {
    expect(validate({ services: { kafka: { image: 'x', helthcheck: {} } } })).toBe(false);
    expect(validate({ services: { kafka: { image: 'x', depends_on: { postgres: { condition: 'service_ready' } } } } })).toBe(false);
  });

  it('publishes ports on the host\'s loopback only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
    }
  });

  it('publishes the all-in-one API on the port the CLI expects, listening beyond its container', () => {
    const config = loadConfig(envOf(services.petstore!));
    expect(config.http.host).toBe('0.0.0.0');
    expect(services.petstore!.ports).toEqual([`127.0.0.1:${config.http.port}:${config.http.port}`]);
    expect(config.cli.apiUrl).toBe(`http://127.0.0.1:${config.http.port}`);
  });

  it('gives every petstore container the same JWT secret, with a default for local use that the shell overrides', () => {
    const secrets = new Set(petstoreServices.map(([, s]) => envOf(s).JWT_SECRET));
    expect(secrets.size).toBe(1);
    const [secret] = [...secrets];
    expect(secret!.length).toBeGreaterThanOrEqual(32);
    expect(secret).toMatch(/local/);
    const mine = interpolate(raw, { JWT_SECRET: 'x'.repeat(48) }).services;
    for (const [name] of petstoreServices) expect(String(mine[name]!.environment!.JWT_SECRET)).toBe('x'.repeat(48));
  });

  it("keeps Kafka's log dirs on its volume", () => {
    const kafka = services.kafka!;
    const mounts = (kafka.volumes ?? []).map((v) => v.split(':')[1]);
    expect(mounts).toContain(String(kafka.environment!.KAFKA_LOG_DIRS));
  });

  it('has a healthcheck on every long-running service (the API containers on /readyz); setup runs once', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'setup') continue; // one-shot: the others wait for it to complete, not to be healthy
      expect([name, Boolean(service.healthcheck?.test) && !service.healthcheck?.disable]).toEqual([name, true]);
    }
    for (const [name, service] of Object.entries(services).filter(([, s]) => s.ports?.includes('127.0.0.1:3000:3000'))) {
      expect([name, JSON.stringify(service.healthcheck!.test)]).toEqual([name, expect.stringContaining('/readyz')]);
    }
    // The others answer on their metrics listener.
    for (const [name, service] of Object.entries(scaled).filter(([, s]) => !s.ports)) {
      const port = loadConfig(envOf(service)).metrics.port;
      expect([name, JSON.stringify(service.healthcheck!.test)]).toEqual([name, expect.stringContaining(`:${port}/metrics`)]);
    }
  });

  it('has a production-shaped profile: a pinned Temporal server on the compose Postgres, beside the dev server', () => {
    const server = services['temporal-server']!;
    expect(server.profiles).toEqual(['temporal-server']);
    expect(server.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(server.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres', POSTGRES_PWD: services.postgres!.environment!.POSTGRES_PASSWORD });
    expect(server.depends_on?.postgres?.condition).toBe('service_healthy');
    expect(services['temporal-server-ui']!.image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    // In the profile, the petstore containers point at it.
    const profiled = interpolate(raw, { PETSTORE_TEMPORAL_HOST: 'temporal-server' }).services;
    expect(loadConfig(envOf(profiled.petstore!)).temporal.address).toBe('temporal-server:7233');
    expect(services.setup!.depends_on).toMatchObject({ temporal: { condition: 'service_healthy' }, 'temporal-server': { condition: 'service_healthy', required: false } });
  });
});

describe('docker-compose.yml', () => {
  it('describes the same stack: postgres, kafka 3.9, the temporal dev server, and the app built from the Dockerfile', () => {
    const byDefault = Object.entries(services).filter(([, s]) => !s.profiles).map(([name]) => name);
    expect(byDefault.sort()).toEqual(['kafka', 'petstore', 'postgres', 'setup', 'temporal']);
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.kafka!.image).toMatch(/^apache\/kafka:3\.9\./);
    expect(services.temporal!.image).toMatch(/^temporalio\/temporal:/);
    expect(services.temporal!.command).toEqual(expect.arrayContaining(['server', 'start-dev']));
    expect(services.petstore!.build).toBe('.');
  });

  it('publishes the local stack ports on the host, so the CLI works against either', () => {
    expect(hostPorts(services.postgres!)).toEqual([LOCAL_PORTS.postgres]);
    expect(hostPorts(services.kafka!)).toEqual([LOCAL_PORTS.kafka]);
    expect(hostPorts(services.temporal!).sort()).toEqual([LOCAL_PORTS.temporal, LOCAL_PORTS.temporalUi]);
  });

  it('registers every custom search attribute the code defines', () => {
    const command = services.temporal!.command as string[];
    for (const [name, type] of Object.entries(CUSTOM_SEARCH_ATTRIBUTES)) expect(command).toContain(`${name}=${type}`);
  });

  it('creates the topics and search attributes once before any petstore process starts', () => {
    expect(services.setup!.command).toEqual(['node', 'dist/cli/index.js', 'stack', 'start']);
    expect(services.setup!.environment).toEqual(services.petstore!.environment);
    for (const [name, service] of petstoreServices) {
      if (name !== 'setup') expect([name, service.depends_on?.setup?.condition]).toEqual([name, 'service_completed_successfully']);
    }
  });

  it.each(petstoreServices)('%s sets only environment variables the code reads, pointing at the compose services', (_name, service) => {
    for (const name of Object.keys(envOf(service))) expect(Object.keys(ENV_VARS)).toContain(name);
    const config = loadConfig(envOf(service));

    const db = new URL(config.postgres.url);
    const pgEnv = services.postgres!.environment!;
    expect(db.hostname).toBe('postgres');
    expect(Number(db.port)).toBe(containerPorts(services.postgres!)[0]);
    expect(decodeURIComponent(db.username)).toBe(pgEnv.POSTGRES_USER);
    expect(decodeURIComponent(db.password)).toBe(pgEnv.POSTGRES_PASSWORD);
    expect(db.pathname).toBe(`/${pgEnv.POSTGRES_DB}`);

    const advertised = String(services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).split(',').map((l) => l.split('://')[1]);
    expect(config.kafka.external).toBe(true);
    for (const broker of config.kafka.brokers) expect(advertised).toContain(broker);

    expect(config.temporal.external).toBe(true);
    const [host, port] = config.temporal.address.split(':');
    expect(host).toBe('temporal');
    expect(containerPorts(services.temporal!)).toContain(Number(port));
    expect(config.temporal.uiUrl).toBe(`http://127.0.0.1:${LOCAL_PORTS.temporalUi}`);
  });
});

describe('docker-compose.yml, scaled profile', () => {
  it('runs every role in containers of its own, built from the same Dockerfile', () => {
    expect(Object.keys(scaled).length).toBeGreaterThan(0);
    for (const service of Object.values(scaled)) {
      expect(service.build).toBe('.');
      expect((service.command as string[]).slice(0, 3)).toEqual(['node', 'dist/cli/index.js', 'serve']);
      for (const role of flag(service, '--only')!.split(',')) expect(ROLES).toContain(role);
      for (const name of flag(service, '--service')?.split(',') ?? []) expect(SERVICE_NAMES).toContain(name);
    }
    const roles = new Set(Object.values(scaled).flatMap((s) => flag(s, '--only')!.split(',')));
    expect([...roles].sort()).toEqual([...ROLES].sort());
  });

  it('runs two saga workers on the orders service', () => {
    const workers = Object.values(scaled).filter((s) => flag(s, '--only') === 'worker');
    expect(workers).toHaveLength(1);
    expect(flag(workers[0]!, '--service')).toBe('orders');
    expect(workers[0]!.deploy?.replicas).toBe(2);
  });

  it.each(SERVICE_NAMES)('runs two consumers of the %s service, which share its group', (name) => {
    const consumers = Object.values(scaled).filter((s) => flag(s, '--only') === 'consumers' && flag(s, '--service') === name);
    expect(consumers).toHaveLength(1);
    expect(consumers[0]!.deploy?.replicas).toBe(2);
  });

  it('publishes the API on the host port the CLI expects, listening beyond the container', () => {
    const [api, ...others] = Object.values(scaled).filter((s) => flag(s, '--only') === 'api');
    expect(others).toEqual([]);
    const config = loadConfig(envOf(api!));
    expect(config.http.host).toBe('0.0.0.0');
    expect(api!.ports).toEqual([`127.0.0.1:${config.http.port}:${config.http.port}`]);
    expect(config.cli.apiUrl).toBe(loadConfig({}).cli.apiUrl);
  });
});

describe('docker-compose.yml, observability profile', () => {
  const observability = Object.fromEntries(Object.entries(services).filter(([, s]) => s.profiles?.includes('observability')));
  /** A bind mount's host file (relative to the compose file) by its path in the container. */
  const mounted = (service: Service, target: string): string => {
    const mount = (service.volumes ?? []).find((v) => v.split(':')[1] === target);
    expect([target, mount]).toEqual([target, expect.stringMatching(/^\.\/deploy\//)]);
    return join(projectRoot, mount!.split(':')[0]!);
  };
  const prometheus = services.prometheus!;
  const grafana = services.grafana!;

  it('runs pinned Prometheus and Grafana images, in that profile only', () => {
    expect(Object.keys(observability).sort()).toEqual(['grafana', 'prometheus']);
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana.depends_on?.prometheus?.condition).toBe('service_healthy');
  });

  it("loads the committed configuration and alert rules, and scrapes every petstore container's metrics listener and Temporal metrics", () => {
    const command = prometheus.command as string[];
    const configPath = command.find((c) => c.startsWith('--config.file='))!.split('=')[1]!;
    const config = parse(readFileSync(mounted(prometheus, configPath), 'utf8')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; port: number }[] }[];
    };
    // The rule file Prometheus loads is the one the tests check.
    expect(config.rule_files.map((file) => mounted(prometheus, file))).toEqual([join(projectRoot, 'deploy', 'prometheus', 'alerts.yml')]);

    const targets = (job: string) => config.scrape_configs.find((c) => c.job_name === job)!.dns_sd_configs;
    const [scraped] = targets('petstore');
    // Every long-running petstore container, on the port its metrics listener has, on every interface of it.
    const running = petstoreServices.filter(([name]) => name !== 'setup');
    expect([...scraped!.names].sort()).toEqual(running.map(([name]) => name).sort());
    for (const [name, service] of running) {
      const metrics = loadConfig(envOf(service)).metrics;
      expect([name, metrics.port, metrics.host ?? '0.0.0.0']).toEqual([name, scraped!.port, '0.0.0.0']);
      expect([name, metrics.temporalPort]).toEqual([name, targets('petstore-temporal-worker')[0]!.port]);
    }
    // The Temporal metrics come from the processes that run saga workers: the all-in-one and the worker role.
    const workers = running.filter(([, s]) => !flag(s, '--only') || flag(s, '--only')!.split(',').includes('worker')).map(([name]) => name);
    expect([...targets('petstore-temporal-worker')[0]!.names].sort()).toEqual(workers.sort());
  });

  it("provisions Grafana's data source as the profile's Prometheus and the committed dashboard", () => {
    const sources = parse(readFileSync(join(mounted(grafana, '/etc/grafana/provisioning'), 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: { url: string; isDefault: boolean }[] };
    const promPort = containerPorts(prometheus)[0];
    expect(sources.datasources).toEqual([expect.objectContaining({ url: `http://prometheus:${promPort}`, isDefault: true })]);
    const providers = parse(readFileSync(join(mounted(grafana, '/etc/grafana/provisioning'), 'dashboards', 'petstore.yml'), 'utf8')) as { providers: { options: { path: string } }[] };
    const folder = providers.providers[0]!.options.path;
    expect(mounted(grafana, folder)).toBe(join(projectRoot, 'deploy', 'grafana', 'dashboards'));
    expect(String(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH)).toBe(`${folder}/petstore.json`);
    // Beside the API, not on its port.
    expect(hostPorts(grafana)).not.toContain(loadConfig({}).http.port);
  });
});
