import { cpuMeter, cpuPerOrder, idlePercent, parseProcStat, treeCpuMs, type ProcStat } from '../../bench/cpu';
import { kafkaRequestsByApi } from '../../bench/cost';

const stat = (ppid: number, own: number, children = 0): ProcStat => ({ ppid, ownMs: own, childrenMs: children });

describe('bench CPU accounting', () => {
  it('parses /proc/<pid>/stat, names with spaces and parentheses included', () => {
    const text = '4242 (postgres: wal (writer)) S 4200 4242 4242 0 -1 4194304 500 0 0 0 150 50 7 3 20 0 1 0 100 1000 10';
    expect(parseProcStat(text)).toEqual({ ppid: 4200, ownMs: 2000, childrenMs: 100 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('adds up a process tree, reaped children included, and leaves other trees out', () => {
    const stats = new Map([
      [10, stat(1, 100, 40)],
      [11, stat(10, 30)],
      [12, stat(11, 5)],
      [20, stat(1, 999)],
    ]);
    expect(treeCpuMs(stats, 10)).toBe(175);
    expect(treeCpuMs(stats, 99)).toBeUndefined();
    // A child that is accounted for on its own (the stack `petstore start` launched) is left out of its parent's tree.
    expect(treeCpuMs(stats, 10, new Set([10, 11]))).toBe(140);
  });

  it('measures idle share and load CPU between the marks, and divides by confirmed orders', () => {
    let t = 0;
    let snapshot = new Map([[10, stat(1, 0)], [20, stat(1, 0)]]);
    const meter = cpuMeter(
      [
        { component: 'serve', pid: 10, command: 'petstore serve' },
        { component: 'temporal', pid: 20, command: 'temporal' },
      ],
      { read: () => snapshot, now: () => t },
    );
    meter.mark('idleStart');
    t = 5000;
    snapshot = new Map([[10, stat(1, 50)], [20, stat(1, 100)]]);
    meter.mark('loadStart');
    t = 65_000;
    snapshot = new Map([[10, stat(1, 2050)], [20, stat(1, 4100)]]);
    meter.mark('end');
    const figures = meter.figures();
    expect(figures.map((f) => [f.idlePercent, f.loadMs])).toEqual([[1, 2000], [2, 4000]]);
    expect(cpuPerOrder(figures, 100)).toEqual({ serve: 20, temporal: 40, postgres: null, kafka: null, total: 60 });
    expect(idlePercent(figures)).toEqual({ serve: 1, temporal: 2, postgres: null, kafka: null });
  });

  it('sums the Kafka request counter by API across clients', () => {
    const page = [
      '# TYPE petstore_kafka_requests_total counter',
      'petstore_kafka_requests_total{client="producer",api="Produce"} 12',
      'petstore_kafka_requests_total{client="relay:orders",api="Produce"} 3',
      'petstore_kafka_requests_total{client="petstore-inventory",api="Fetch"} 40',
      'petstore_http_request_duration_seconds_count{method="GET"} 5',
    ].join('\n');
    expect(kafkaRequestsByApi(page)).toEqual({ Produce: 15, Fetch: 40 });
  });
});
