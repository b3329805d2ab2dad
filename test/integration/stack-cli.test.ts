import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPetstore } from '../helpers/cli';

// A second, private stack on other ports, so starting and stopping it leaves the stack the
// other tests use alone. The download cache is shared: nothing is fetched again.
const dataDir = mkdtempSync(join(tmpdir(), 'petstore-stack-test-'));
chmodSync(dataDir, 0o755); // as root, Postgres runs as an unprivileged user that must enter it
const env = {
  PETSTORE_DATA_DIR: dataDir,
  PETSTORE_POSTGRES_PORT: '55532',
  PETSTORE_KAFKA_PORT: '19092',
  PETSTORE_KAFKA_CONTROLLER_PORT: '19093',
  PETSTORE_TEMPORAL_PORT: '17233',
  PETSTORE_TEMPORAL_UI_PORT: '18233',
  PETSTORE_MAILPIT_SMTP_PORT: '11025',
  PETSTORE_MAILPIT_UI_PORT: '18025',
  DATABASE_URL: '',
  KAFKA_BROKERS: '',
  TEMPORAL_ADDRESS: '',
  TEMPORAL_UI_URL: '',
  SMTP_URL: '',
};

/** Pids of live processes whose command line mentions our private data folder. */
function processesUsing(folder: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    })
    .map(Number);
}

type StartJson = Record<'postgres' | 'kafka' | 'temporal' | 'mailpit', { outcome: string; up: boolean; pid: number; endpoint: string }>;

describe('petstore stack (the real CLI binary)', () => {
  afterAll(async () => {
    await runPetstore(['stack', 'stop'], env);
    rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  it('starts all four parts, is idempotent on a second start, reports status, and stops leaving no process', async () => {
    const first = await runPetstore(['stack', 'start', '--json'], env);
    expect(first.code).toBe(0);
    const started = JSON.parse(first.stdout) as StartJson;
    for (const part of ['postgres', 'kafka', 'temporal', 'mailpit'] as const) {
      expect(started[part]).toMatchObject({ outcome: 'started', up: true });
    }
    expect(started.postgres.endpoint).toContain(':55532/');
    expect(started.kafka.endpoint).toBe('127.0.0.1:19092');
    expect((await fetch('http://127.0.0.1:18233')).status).toBe(200); // the Temporal UI
    expect(started.mailpit.endpoint).toBe('127.0.0.1:11025');
    expect((await fetch('http://127.0.0.1:18025/api/v1/info')).status).toBe(200); // Mailpit's API

    const second = await runPetstore(['stack', 'start', '--json'], env);
    expect(second.code).toBe(0);
    const reused = JSON.parse(second.stdout) as StartJson;
    for (const part of ['postgres', 'kafka', 'temporal', 'mailpit'] as const) {
      expect(reused[part]).toMatchObject({ outcome: 'reused', up: true, pid: started[part].pid });
    }

    const statusRun = await runPetstore(['stack', 'status', '--json'], env);
    expect(statusRun).toMatchObject({ code: 0, stderr: '' });
    const status = JSON.parse(statusRun.stdout) as StartJson;
    for (const part of ['postgres', 'kafka', 'temporal', 'mailpit'] as const) expect(status[part]).toMatchObject({ up: true, pid: started[part].pid });
    expect(processesUsing(dataDir).length).toBeGreaterThanOrEqual(4);

    const stop = await runPetstore(['stack', 'stop', '--json'], env);
    expect(stop.code).toBe(0);
    expect(JSON.parse(stop.stdout).stopped.sort()).toEqual(['kafka', 'mailpit', 'postgres', 'temporal']);
    expect(processesUsing(dataDir)).toEqual([]);

    const after = JSON.parse((await runPetstore(['stack', 'status', '--json'], env)).stdout) as StartJson;
    for (const part of ['postgres', 'kafka', 'temporal', 'mailpit'] as const) expect(after[part].up).toBe(false);
  }, 240_000);
});
