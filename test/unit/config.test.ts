import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';

describe('loadConfig', () => {
  it('defaults to the local stack on loopback', () => {
    const config = loadConfig({});
    expect(config.postgres).toMatchObject({ external: false, url: 'postgres://postgres:petstore@127.0.0.1:55432/petstore' });
    expect(config.kafka).toMatchObject({ external: false, brokers: ['127.0.0.1:9092'], topicPartitions: 6 });
    expect(config.temporal).toMatchObject({ external: false, address: '127.0.0.1:7233', namespace: 'default', uiUrl: 'http://127.0.0.1:8233' });
  });

  it('treats each configured endpoint as external', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/shop',
      KAFKA_BROKERS: 'k1:9092, k2:9092',
      TEMPORAL_ADDRESS: 'ns.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'shop.a1b2c',
    });
    expect(config.postgres).toMatchObject({ external: true, url: 'postgresql://app:secret@db.internal:5432/shop' });
    expect(config.kafka).toMatchObject({ external: true, brokers: ['k1:9092', 'k2:9092'] });
    expect(config.temporal).toMatchObject({ external: true, address: 'ns.tmprl.cloud:7233', namespace: 'shop.a1b2c' });
  });

  it('moves every local port together with its endpoint', () => {
    const config = loadConfig({ PETSTORE_POSTGRES_PORT: '6000', PETSTORE_KAFKA_PORT: '6001', PETSTORE_TEMPORAL_PORT: '6002', PETSTORE_TEMPORAL_UI_PORT: '6003' });
    expect(config.postgres.url).toContain(':6000/');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:6001']);
    expect(config.temporal.address).toBe('127.0.0.1:6002');
    expect(config.temporal.uiUrl).toBe('http://127.0.0.1:6003');
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ KAFKA_BROKERS: 'nohost' }, /KAFKA_BROKERS entries must be host:port/],
    [{ KAFKA_TOPIC_PARTITIONS: 'many' }, /KAFKA_TOPIC_PARTITIONS must be a whole number/],
    [{ PETSTORE_POSTGRES_PORT: '0' }, /PETSTORE_POSTGRES_PORT must be a whole number of at least 1/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('PETSTORE_NAMESPACE', () => {
  it('is empty by default: bare task queue and local database, as before', () => {
    const config = loadConfig({});
    expect(config.namespace).toBe('');
    expect(config.temporal.taskQueue).toBe('petstore');
    expect(config.postgres.url).toMatch(/\/petstore$/);
  });

  it("prefixes the task queue and the local database, and leaves the Temporal namespace and a DATABASE_URL alone", () => {
    const config = loadConfig({ PETSTORE_NAMESPACE: 'team-a', TEMPORAL_TASK_QUEUE: 'shop' });
    expect(config.namespace).toBe('team-a');
    expect(config.temporal.taskQueue).toBe('team-a.shop');
    expect(config.temporal.namespace).toBe('default');
    expect(config.postgres.url).toBe('postgres://postgres:petstore@127.0.0.1:55432/team-a.petstore');
    expect(loadConfig({ PETSTORE_NAMESPACE: 'team-a', DATABASE_URL: 'postgres://db/shop' }).postgres.url).toBe('postgres://db/shop');
  });

  it('prefixes the Temporal namespace when PETSTORE_NAMESPACE_TEMPORAL is on', () => {
    expect(loadConfig({ PETSTORE_NAMESPACE: 'team-a', PETSTORE_NAMESPACE_TEMPORAL: 'on', TEMPORAL_NAMESPACE: 'shop' }).temporal.namespace).toBe('team-a.shop');
    expect(() => loadConfig({ PETSTORE_NAMESPACE_TEMPORAL: 'on' })).toThrow(/PETSTORE_NAMESPACE_TEMPORAL=on .* PETSTORE_NAMESPACE, which is not set/);
  });

  it.each(['Team', 'team_a', 'team.a', '-team', 'team-', 'a b', 'x'.repeat(41)])('refuses %j with a message naming the variable and the rule', (namespace) => {
    expect(() => loadConfig({ PETSTORE_NAMESPACE: namespace })).toThrow(/PETSTORE_NAMESPACE must be lowercase letters and digits, with inner hyphens, at most 40 characters/);
  });

  it.each(['test', 'staging', 'team-a', 'eu1', 'x'.repeat(40)])('takes %j', (namespace) => {
    expect(loadConfig({ PETSTORE_NAMESPACE: namespace }).namespace).toBe(namespace);
  });
});

describe('loadConfig for managed services', () => {
  // Certificate settings must name files that exist; their content does not matter here.
  const dir = mkdtempSync(join(tmpdir(), 'petstore-config-'));
  const file = (name: string) => {
    const path = join(dir, name);
    writeFileSync(path, `not really ${name}\n`);
    return path;
  };
  const [ca, cert, key] = [file('ca.pem'), file('client.pem'), file('client.key')];
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const rejects = (env: Record<string, string>, message: RegExp) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  };

  it('connects in plain text with the default pool when nothing is configured', () => {
    const config = loadConfig({});
    expect(config.postgres).toMatchObject({ poolMax: 20, ssl: { mode: 'off' } });
    expect(config.kafka.ssl).toEqual({ enabled: false, caFile: undefined });
    expect(config.kafka.sasl).toBeUndefined();
    expect(config.temporal.tls.enabled).toBe(false);
    expect(config.temporal.apiKey).toBeUndefined();
  });

  describe('Temporal', () => {
    it('switches TLS on for an API key (Temporal Cloud)', () => {
      const config = loadConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'shop.a1b2c', TEMPORAL_API_KEY: 'key-123' });
      expect(config.temporal).toMatchObject({ apiKey: 'key-123', tls: { enabled: true } });
    });

    it('switches TLS on for a client certificate pair (mTLS), with CA and server name', () => {
      const config = loadConfig({ TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_KEY: key, TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: 'frontend.internal' });
      expect(config.temporal.tls).toEqual({ enabled: true, certFile: cert, keyFile: key, caFile: ca, serverName: 'frontend.internal' });
    });

    it('takes TEMPORAL_TLS as said: on alone, or off with an API key', () => {
      expect(loadConfig({ TEMPORAL_TLS: 'on' }).temporal.tls.enabled).toBe(true);
      expect(loadConfig({ TEMPORAL_TLS: 'OFF', TEMPORAL_API_KEY: 'k' }).temporal.tls.enabled).toBe(false);
    });

    it.each([
      [{ TEMPORAL_TLS: 'maybe' }, /TEMPORAL_TLS must be on or off, got "maybe"/],
      [{ TEMPORAL_TLS_CERT: cert }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
      [{ TEMPORAL_TLS_KEY: key }, /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/],
      [{ TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: ca }, /TEMPORAL_TLS is off, but TLS settings are set \(TEMPORAL_TLS_CA\)/],
      [{ TEMPORAL_TLS_CA: join(dir, 'missing.pem') }, /TEMPORAL_TLS_CA names a file that does not exist/],
    ])('rejects %j', (env, message) => rejects(env, message));
  });

  describe('Kafka', () => {
    it('reads SASL_SSL: a CA switches SSL on, the mechanism is case-insensitive', () => {
      const config = loadConfig({
        KAFKA_BROKERS: 'k1:9093,k2:9093,k3:9093',
        KAFKA_SSL_CA: ca,
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'petstore',
        KAFKA_SASL_PASSWORD: ' s3cret ',
        KAFKA_REPLICATION_FACTOR: '3',
        KAFKA_TOPIC_PARTITIONS: '12',
      });
      expect(config.kafka).toMatchObject({
        ssl: { enabled: true, caFile: ca },
        sasl: { mechanism: 'scram-sha-512', username: 'petstore', password: ' s3cret ' },
        replicationFactor: 3,
        topicPartitions: 12,
      });
    });

    it('allows SSL with the system CAs and SASL without SSL', () => {
      expect(loadConfig({ KAFKA_SSL: 'on' }).kafka.ssl.enabled).toBe(true);
      const config = loadConfig({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
      expect(config.kafka).toMatchObject({ ssl: { enabled: false }, sasl: { mechanism: 'plain' } });
    });

    it.each([
      [{ KAFKA_SSL: 'yes please' }, /KAFKA_SSL must be on or off/],
      [{ KAFKA_SSL: 'off', KAFKA_SSL_CA: ca }, /KAFKA_SSL is off, but KAFKA_SSL_CA only applies with SSL/],
      [{ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512, got "gssapi"/],
      [{ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_MECHANISM=plain needs KAFKA_SASL_PASSWORD$/],
      [{ KAFKA_SASL_MECHANISM: 'scram-sha-256' }, /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/],
      [{ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD set without KAFKA_SASL_MECHANISM/],
    ])('rejects %j', (env, message) => rejects(env, message));
  });

  describe('Postgres', () => {
    const url = 'postgres://app:secret@db.example.com:5432/petstore';

    it('reads the mode and the pool size', () => {
      expect(loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'require', DATABASE_POOL_MAX: '50' }).postgres).toMatchObject({ poolMax: 50, ssl: { mode: 'require' } });
      expect(loadConfig({ DATABASE_URL: url, DATABASE_SSL_CA: ca }).postgres.ssl).toEqual({ mode: 'verify-full', caFile: ca });
      expect(loadConfig({ DATABASE_URL: url, DATABASE_SSL: 'verify-ca', DATABASE_SSL_CA: ca }).postgres.ssl.mode).toBe('verify-ca');
    });

    it("honours the URL's sslmode and sslrootcert unless DATABASE_SSL says otherwise", () => {
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=${ca}` }).postgres.ssl).toEqual({ mode: 'verify-full', caFile: ca });
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=prefer` }).postgres.ssl.mode).toBe('require');
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=disable` }).postgres.ssl.mode).toBe('off');
      expect(loadConfig({ DATABASE_URL: `${url}?ssl=true` }).postgres.ssl.mode).toBe('verify-full');
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=require`, DATABASE_SSL: 'off' }).postgres.ssl.mode).toBe('off');
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=system` }).postgres.ssl).toEqual({ mode: 'verify-full' });
      expect(loadConfig({ DATABASE_URL: `${url}?sslmode=require&sslcert=${cert}&sslkey=${key}` }).postgres.ssl).toEqual({ mode: 'require', certFile: cert, keyFile: key });
    });

    it.each([
      [{ DATABASE_SSL: 'on' }, /DATABASE_SSL must be one of off, require, verify-ca, verify-full, got "on"/],
      [{ DATABASE_SSL: 'require', DATABASE_SSL_CA: ca }, /DATABASE_SSL_CA \(or sslrootcert in DATABASE_URL\) needs DATABASE_SSL=verify-ca or verify-full/],
      [{ DATABASE_URL: `${url}?sslmode=sometimes` }, /DATABASE_URL has sslmode=sometimes/],
      [{ DATABASE_URL: `${url}?sslmode=verify-full&sslrootcert=/nowhere/ca.pem` }, /DATABASE_URL's sslrootcert names a file that does not exist/],
      [{ DATABASE_URL: `${url}?sslmode=require&sslcert=${cert}` }, /sslcert and sslkey go together/],
      [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX must be a whole number of at least 1/],
    ])('rejects %j', (env, message) => rejects(env, message));
  });

  it('never echoes a password or key in an error', () => {
    const messages = [
      { DATABASE_URL: 'mysql://app:hunter2@db:3306/shop' },
      { KAFKA_SASL_PASSWORD: 'hunter2' },
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'hunter2' },
      { TEMPORAL_API_KEY: 'hunter2', TEMPORAL_TLS: 'off', TEMPORAL_TLS_CA: ca },
    ].map((env) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error(`expected ${JSON.stringify(Object.keys(env))} to be rejected`);
    });
    for (const message of messages) expect(message).not.toContain('hunter2');
  });
});
