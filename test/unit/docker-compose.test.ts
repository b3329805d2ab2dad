import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENV_VARS, LOCAL_PORTS, loadConfig, projectRoot } from '../../lib/config';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string | number>;
  ports?: string[];
}

const compose = parse(readFileSync(join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = compose.services;
const hostPorts = (service: Service) => (service.ports ?? []).map((p) => Number(p.split(':').at(-2)));
const containerPorts = (service: Service) => (service.ports ?? []).map((p) => Number(p.split(':').at(-1)));
const appEnv = Object.fromEntries(Object.entries(services.petstore!.environment ?? {}).map(([k, v]) => [k, String(v)]));

describe('docker-compose.yml', () => {
  it('describes the same stack: postgres, kafka 3.9, the temporal dev server, and the app built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['kafka', 'petstore', 'postgres', 'temporal']);
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

  it('sets only environment variables the code reads, pointing at the compose services', () => {
    for (const name of Object.keys(appEnv)) expect(Object.keys(ENV_VARS)).toContain(name);
    const config = loadConfig(appEnv);

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
