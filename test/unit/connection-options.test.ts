import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pgConnection } from '../../db/connection';
import { kafkaSecurity } from '../../kafka/client';
import { loadConfig } from '../../lib/config';
import { temporalConnectionOptions } from '../../lib/temporal';
import { securityChecks } from '../../stack/doctor';

// Config wants the files to exist; the builders read them through `read`, so the content is a marker.
const dir = mkdtempSync(join(tmpdir(), 'petstore-tls-'));
const file = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, '');
  return path;
};
const [ca, cert, key] = [file('ca.pem'), file('client.pem'), file('client.key')];
const read = (path: string) => Buffer.from(`pem of ${basename(path)}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pg connection options', () => {
  const url = 'postgres://app:secret@db.example.com:5432/petstore';

  it('is plain text by default, URL untouched', () => {
    expect(pgConnection(loadConfig({ DATABASE_URL: `${url}?application_name=shop` }), read)).toEqual({ connectionString: `${url}?application_name=shop`, ssl: false });
  });

  it('encrypts without checking the certificate with require', () => {
    const { ssl } = pgConnection(loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'require' }), read);
    expect(ssl).toEqual({ rejectUnauthorized: false });
  });

  it('checks the certificate against the CA with verify-full', () => {
    const { ssl } = pgConnection(loadConfig({ DATABASE_URL: url, DATABASE_SSL_CA: ca }), read);
    expect(ssl).toEqual({ rejectUnauthorized: true, ca: read(ca) });
  });

  it('skips only the host name check with verify-ca', () => {
    const { ssl } = pgConnection(loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'verify-ca', DATABASE_SSL_CA: ca }), read);
    expect(ssl).toMatchObject({ rejectUnauthorized: true, ca: read(ca) });
    expect(ssl && ssl.checkServerIdentity?.('elsewhere', {} as never)).toBeUndefined();
  });

  it("takes the URL's TLS parameters out of the URL, so node-postgres cannot override them", () => {
    const config = loadConfig({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}&application_name=shop` });
    expect(pgConnection(config, read)).toEqual({
      connectionString: `${url}?application_name=shop`,
      ssl: { rejectUnauthorized: true, ca: read(ca), cert: read(cert), key: read(key) },
    });
  });
});

describe('kafkajs security options', () => {
  it('is plain text without SASL by default', () => {
    expect(kafkaSecurity(loadConfig({}), read)).toEqual({ ssl: false });
  });

  it('carries SSL with the CA and SASL credentials (SASL_SSL)', () => {
    const config = loadConfig({ KAFKA_SSL_CA: ca, KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'petstore', KAFKA_SASL_PASSWORD: 's3cret' });
    expect(kafkaSecurity(config, read)).toEqual({ ssl: { ca: [read(ca)] }, sasl: { mechanism: 'scram-sha-512', username: 'petstore', password: 's3cret' } });
  });

  it('uses the system CAs when SSL is on without a CA file', () => {
    expect(kafkaSecurity(loadConfig({ KAFKA_SSL: 'on' }), read)).toEqual({ ssl: true });
  });
});

describe('Temporal connection options', () => {
  it('is plain text to the address by default', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' }), read)).toEqual({ address: 'temporal:7233', tls: false });
  });

  it('sends the API key over TLS with the namespace header (Temporal Cloud)', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'shop.a1b2c', TEMPORAL_API_KEY: 'key-123' });
    expect(temporalConnectionOptions(config, read)).toEqual({
      address: 'us-east-1.aws.api.temporal.io:7233',
      tls: {},
      apiKey: 'key-123',
      metadata: { 'temporal-namespace': 'shop.a1b2c' },
    });
  });

  it('presents the client certificate pair (mTLS), with CA and server name', () => {
    const config = loadConfig({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: 'frontend.internal' });
    expect(temporalConnectionOptions(config, read).tls).toEqual({
      serverNameOverride: 'frontend.internal',
      serverRootCACertificate: read(ca),
      clientCertPair: { crt: read(cert), key: read(key) },
    });
  });

  it('keeps TLS off when switched off on purpose, even with an API key', () => {
    expect(temporalConnectionOptions(loadConfig({ TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k' }), read)).toMatchObject({ tls: false, apiKey: 'k' });
  });
});

describe('petstore doctor security lines', () => {
  it('says how each part is secured without printing a secret', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://app:hunter2@db:5432/shop',
      DATABASE_SSL_CA: ca,
      KAFKA_SSL: 'on',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'petstore',
      KAFKA_SASL_PASSWORD: 'hunter2',
      TEMPORAL_API_KEY: 'hunter2',
      TEMPORAL_NAMESPACE: 'shop.a1b2c',
    });
    const checks = securityChecks(config);
    expect(checks.map((c) => [c.check, c.result])).toEqual([
      ['postgres security', 'ok'],
      ['kafka security', 'ok'],
      ['temporal security', 'ok'],
    ]);
    expect(checks[0]!.detail).toBe(`TLS verify-full, CA ${ca}, pool of 20 per process`);
    expect(checks[1]!.detail).toBe('SASL_SSL, SASL scram-sha-512');
    expect(checks[2]!.detail).toBe('TLS on, API key, namespace shop.a1b2c');
    expect(JSON.stringify(checks)).not.toContain('hunter2');
  });

  it('warns when a password or API key would travel in plain text', () => {
    const checks = securityChecks(loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', TEMPORAL_TLS: 'off', TEMPORAL_API_KEY: 'k' }));
    expect(checks.map((c) => c.result)).toEqual(['ok', 'warn', 'warn']);
    expect(checks[1]!.detail).toBe('SASL_PLAINTEXT, SASL plain');
  });
});
