import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
}

// Compose resolves YAML merge keys (`<<: *petstore-role`); the yaml package does when asked.
const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
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
