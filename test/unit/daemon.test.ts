import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemon } from '../../stack/daemon';

describe('daemon', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'petstore-daemon-'));
  const marker = `petstore-test-${process.pid}`;
  const sleeper = () => daemon({ name: 'sleeper', command: 'sh', args: ['-c', `sleep 60; true ${marker}`], runDir, marker });

  it('starts a detached process, finds it again by pid file, and stops it', async () => {
    const d = sleeper();
    const pid = d.start();
    expect(readFileSync(join(runDir, 'sleeper.pid'), 'utf8').trim()).toBe(String(pid));
    expect(sleeper().pid()).toBe(pid);
    expect(await d.stop(5000)).toBe(true);
    expect(d.pid()).toBeUndefined();
    expect(await d.stop()).toBe(false);
  });

  it('treats a pid file whose process is gone as stale, and removes it', () => {
    writeFileSync(join(runDir, 'sleeper.pid'), '999999\n');
    expect(sleeper().pid()).toBeUndefined();
    expect(() => readFileSync(join(runDir, 'sleeper.pid'))).toThrow();
  });

  it('does not mistake a reused pid (another live process) for ours', () => {
    writeFileSync(join(runDir, 'sleeper.pid'), `${process.pid}\n`);
    expect(sleeper().pid()).toBeUndefined();
  });
});
