import { ConfigError, ENV_VARS, loadConfig } from '../../lib/config';

describe('observability settings', () => {
  it('are off by default: no metrics port, no Temporal metrics, no tracing, log format by terminal', () => {
    const config = loadConfig({});
    expect(config.metrics).toEqual({ port: undefined, temporalPort: undefined });
    expect(config.tracing).toEqual({ endpoint: undefined, headers: {}, serviceName: 'petstore', sampleRatio: 1 });
    expect(config.logFormat).toBeUndefined();
  });

  it('sends traces to <OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces, or to OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as given', () => {
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.endpoint).toBe('http://collector:4318/v1/traces');
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' }).tracing.endpoint,
    ).toBe('https://traces.example/otlp');
  });

  it('reads the exporter headers, the service name and the sampling ratio', () => {
    const config = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cr%3Dt, x-team = shop',
      OTEL_SERVICE_NAME: 'petstore-eu',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(config.tracing).toEqual({ endpoint: 'http://collector:4318/v1/traces', headers: { 'x-api-key': 's3cr=t', 'x-team': 'shop' }, serviceName: 'petstore-eu', sampleRatio: 0.25 });
  });

  it('reads the metrics ports and the log format', () => {
    const config = loadConfig({ METRICS_PORT: '9464', TEMPORAL_METRICS_PORT: '9465', LOG_FORMAT: 'json' });
    expect(config.metrics).toEqual({ port: 9464, temporalPort: 9465 });
    expect(config.logFormat).toBe('json');
  });

  it.each([
    [{ METRICS_PORT: '0' }, /METRICS_PORT must be a port number/],
    [{ TEMPORAL_METRICS_PORT: '70000' }, /TEMPORAL_METRICS_PORT must be a port number/],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT must be an http/],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'grpc://collector:4317' }, /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT must be an http/],
    [{ OTEL_TRACES_SAMPLER_ARG: '2' }, /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1/],
    [{ LOG_FORMAT: 'xml' }, /LOG_FORMAT must be json or pretty/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never echoes an exporter header in an error (they carry API keys)', () => {
    const bad = () => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=ok,Bearer hunter2' });
    expect(bad).toThrow('OTEL_EXPORTER_OTLP_HEADERS entry 2 is not key=value');
    expect(bad).not.toThrow(/hunter2/);
  });

  it('documents every new variable in ENV_VARS', () => {
    for (const name of [
      'LOG_FORMAT',
      'METRICS_PORT',
      'TEMPORAL_METRICS_PORT',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'OTEL_EXPORTER_OTLP_HEADERS',
      'OTEL_SERVICE_NAME',
      'OTEL_TRACES_SAMPLER_ARG',
    ]) {
      expect(ENV_VARS).toHaveProperty(name);
    }
  });
});
