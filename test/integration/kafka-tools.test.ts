import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { createKafka } from '../../kafka/client';
import { projectRoot } from '../../lib/config';
import type { CliRun } from '../helpers/cli';
import { testConfig, testNames, unique } from '../helpers/config';

/** `petstore stack kafka <args>` as a user runs it, with `input` on its stdin. */
function kafkaTool(args: string[], input = ''): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'petstore'), 'stack', 'kafka', ...args], { cwd: projectRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

// Kafka's own tools (the kafka-tools jars) against the stack's broker, the bootstrap server filled in.
describe('petstore stack kafka <tool>', () => {
  const kafka = createKafka(testConfig);
  let admin: Admin;
  const topic = unique('tools-test');
  const group = unique('tools-test-group');

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 1 }] });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('topics --list names every topic of the namespace', async () => {
    const run = await kafkaTool(['topics', '--list']);
    expect(run).toMatchObject({ code: 0 });
    const listed = run.stdout.split('\n').map((line) => line.trim());
    for (const name of [...testNames.allTopics, topic]) expect(listed).toContain(name);
  }, 120_000);

  it('console-producer takes stdin, console-consumer prints it back with keys, consumer-groups describes the group it committed', async () => {
    const produced = await kafkaTool(['console-producer', '--topic', topic, '--property', 'parse.key=true', '--property', 'key.separator=:'], 'order-1:placed\norder-2:paid\norder-1:confirmed\n');
    expect(produced).toMatchObject({ code: 0 });

    const consumed = await kafkaTool(['console-consumer', '--topic', topic, '--group', group, '--from-beginning', '--max-messages', '3', '--timeout-ms', '30000', '--property', 'print.key=true', '--property', 'key.separator=:']);
    expect(consumed).toMatchObject({ code: 0 });
    const lines = consumed.stdout.trim().split('\n');
    expect([...lines].sort()).toEqual(['order-1:confirmed', 'order-1:placed', 'order-2:paid']);
    // One key's messages stay in order (one partition).
    expect(lines.filter((l) => l.startsWith('order-1:'))).toEqual(['order-1:placed', 'order-1:confirmed']);
    expect(consumed.stderr).toContain('Processed a total of 3 messages');

    const described = await kafkaTool(['consumer-groups', '--describe', '--group', group]);
    expect(described).toMatchObject({ code: 0 });
    const rows = described.stdout.split('\n').filter((l) => l.startsWith(`${group} `)).map((l) => l.trim().split(/\s+/));
    // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...: both partitions committed to their end.
    expect(rows.map((r) => [r[1], r[5]])).toEqual([
      [topic, '0'],
      [topic, '0'],
    ]);
    expect(rows.reduce((sum, r) => sum + Number(r[4]), 0)).toBe(3);
  }, 180_000);

  it("passes the tool's exit code and error through, and refuses an unknown tool as a usage error", async () => {
    const missing = await kafkaTool(['topics', '--describe', '--topic', unique('no-such-topic')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout + missing.stderr).toMatch(/does not exist/);
    const unknown = await kafkaTool(['no-such-tool']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown Kafka tool "no-such-tool"');
  }, 120_000);
});
