import { BenchOptionError, resolveBenchOptions, type RawBenchOptions } from '../../bench/options';
import { HttpBenchOptionError, parseHttpBenchArgs } from '../../bench/http/options';
import { benchCommand } from '../../cli/commands/bench';
import { EXIT } from '../../cli/errors';
import { runGroup } from './cli-harness';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const resolve = (raw: RawBenchOptions) => resolveBenchOptions(raw, { dataDir: '/data', now: NOW });
const refused = (raw: RawBenchOptions) => {
  try {
    resolve(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(BenchOptionError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
};

describe('petstore bench options', () => {
  it('defaults to 10 orders/s for 30s over 200 customers and 10 pets, written under the data folder', () => {
    expect(resolve({})).toEqual({
      mode: 'saga',
      load: { kind: 'rate', perSecond: 10 },
      durationMs: 30_000,
      orders: undefined,
      customers: 200,
      pets: 10,
      drainMs: 30_000,
      orderTimeoutMs: 60_000,
      sample: 5,
      pids: [],
      out: '/data/bench/2025-03-01T12-00-00Z-saga.json',
      ceilingFrom: undefined,
      audit: false,
      idleMs: 5000,
      metricsUrls: undefined,
      json: false,
    });
  });

  it('takes a rate and a duration, or a concurrency and a number of orders (then no default duration)', () => {
    expect(resolve({ rate: '2.5', duration: '5m' })).toMatchObject({ load: { kind: 'rate', perSecond: 2.5 }, durationMs: 300_000, orders: undefined });
    expect(resolve({ concurrency: '50', orders: '2000' })).toMatchObject({ load: { kind: 'concurrency', inFlight: 50 }, durationMs: undefined, orders: 2000 });
    expect(resolve({ concurrency: '5', orders: '10', duration: '20s' })).toMatchObject({ durationMs: 20_000, orders: 10 });
  });

  it('keeps each --pid once and the other settings as given', () => {
    expect(resolve({ pid: ['42', '7', '42'], customers: '3', pets: '1', drain: '0s', orderTimeout: '2m', sample: '0', out: 'x.json', ceilingFrom: 'c.json', json: true })).toMatchObject({
      pids: [42, 7],
      customers: 3,
      pets: 1,
      drainMs: 0,
      orderTimeoutMs: 120_000,
      sample: 0,
      out: 'x.json',
      ceilingFrom: 'c.json',
      json: true,
    });
  });

  it('refuses --rate with --concurrency, and values out of range, naming the option and an example', () => {
    expect(refused({ rate: '5', concurrency: '3' })).toMatch(/--rate .* or --concurrency .*not both/);
    expect(refused({ rate: '0' })).toMatch(/--rate must be .* above 0.*e\.g\. 25/);
    expect(refused({ rate: 'fast' })).toMatch(/got "fast"/);
    expect(refused({ concurrency: '0' })).toMatch(/--concurrency must be a whole number from 1/);
    expect(refused({ duration: '5 minutes' })).toMatch(/--duration must be a duration .* such as 20s, 5m/);
    expect(refused({ duration: '500ms' })).toMatch(/at least 1s/);
    expect(refused({ orders: '-3' })).toMatch(/--orders/);
    expect(refused({ customers: '1.5' })).toMatch(/--customers/);
    expect(refused({ pets: '101' })).toMatch(/--pets must be a whole number from 1 to 100/);
    expect(refused({ pid: ['abc'] })).toMatch(/--pid/);
    expect(refused({ orderTimeout: '10' })).toMatch(/--order-timeout/);
  });

  it('resolves --ceiling with its own defaults and refuses the saga-only options with it', () => {
    expect(resolve({ ceiling: true })).toEqual({ mode: 'ceiling', durationMs: 30_000, concurrency: 20, sample: 5, out: '/data/bench/2025-03-01T12-00-00Z-ceiling.json', json: false });
    expect(resolve({ ceiling: true, duration: '15s', concurrency: '8', json: true })).toMatchObject({ durationMs: 15_000, concurrency: 8, json: true });
    expect(refused({ ceiling: true, rate: '5' })).toBe('--rate does not apply to --ceiling (it takes --duration, --concurrency, --sample, --out, --json)');
    expect(refused({ ceiling: true, orders: '5', ceilingFrom: 'x.json' })).toMatch(/^--orders, --ceiling-from do not apply to --ceiling/);
  });
});

describe('petstore bench on the command line', () => {
  it('exits 2 with the message for bad options, before touching anything', async () => {
    const both = await runGroup(benchCommand, ['bench', '--rate', '5', '--concurrency', '3']);
    expect(both).toMatchObject({ code: EXIT.usage });
    expect(both.err).toMatch(/error: give --rate .* not both/);
    const duration = await runGroup(benchCommand, ['bench', '--duration', 'soon']);
    expect(duration.code).toBe(EXIT.usage);
    expect(duration.err).toMatch(/--duration must be a duration/);
    const unknown = await runGroup(benchCommand, ['bench', '--speed', '3']);
    expect(unknown.code).toBe(EXIT.usage);
  });

  it('explains every option with an example in --help', async () => {
    const { code, out } = await runGroup(benchCommand, ['bench', '--help']);
    expect(code).toBe(EXIT.ok);
    // Each option's description, with commander's line wrapping undone.
    const described = new Map<string, string>();
    for (const block of out.split('Options:\n')[1]!.split(/\n(?= {2}-)/)) {
      const [, name, text] = /^\s*(?:-\w, )?(--[\w-]+)\S*(?: <\w+>)?\s+([\s\S]*)$/.exec(block)!;
      described.set(name!, text!.replace(/\s+/g, ' '));
    }
    for (const option of ['--ceiling', '--rate', '--concurrency', '--duration', '--orders', '--customers', '--pets', '--drain', '--order-timeout', '--sample', '--pid', '--out', '--ceiling-from']) {
      expect(described.get(option)).toContain(`e.g. ${option}`);
    }
    expect(out).toMatch(/Example:\n\s+\$ petstore bench /);
  });
});

describe('npm run bench:http options', () => {
  const parse = (argv: string[]) => parseHttpBenchArgs(argv, { dataDir: '/data', now: NOW });

  it('defaults to 10 connections, 10s measured after 2s of warm-up', () => {
    expect(parse([])).toEqual({ durationSec: 10, warmupSec: 2, connections: 10, json: false, out: '/data/bench/2025-03-01T12-00-00Z-http.json', help: false });
    expect(parse(['--duration', '1m', '--warmup', '0s', '--connections', '20', '--json', '--out', 'h.json'])).toEqual({
      durationSec: 60,
      warmupSec: 0,
      connections: 20,
      json: true,
      out: 'h.json',
      help: false,
    });
  });

  it('refuses unknown options and bad values', () => {
    expect(() => parse(['--rate', '5'])).toThrow(HttpBenchOptionError);
    expect(() => parse(['--duration', '1500ms'])).toThrow(/whole seconds/);
    expect(() => parse(['--connections', '0'])).toThrow(/--connections must be a whole number from 1 to 1000/);
    expect(() => parse(['extra'])).toThrow(HttpBenchOptionError);
  });
});
