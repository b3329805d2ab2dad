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
