import { EXIT } from '../../cli/errors';
import { runInProcess } from '../helpers/cli-in-process';

const runCli = (args: string[]) => runInProcess(undefined, args);

describe('petstore CLI', () => {
  it('shows help with an example on every command', async () => {
    for (const args of [['--help'], ['stack', 'start', '--help'], ['stack', 'status', '--help'], ['stack', 'stop', '--help'], ['doctor', '--help'], ['start', '--help'], ['serve', '--help'], ['migrate', '--help'], ['seed', '--help'], ['auth', 'token', '--help']]) {
      const { code, out } = await runCli(args);
      expect(code).toBe(EXIT.ok);
      expect(out).toMatch(/Example:\n\s+\$ .*petstore /);
    }
  });

  it('exits 2 with a one-line error on an unknown option or command', async () => {
    const unknownOption = await runCli(['stack', 'status', '--bogus']);
    expect(unknownOption.code).toBe(EXIT.usage);
    expect(unknownOption.err).toMatch(/unknown option '--bogus'/);
    expect((await runCli(['stak'])).code).toBe(EXIT.usage);
  });

  it('refuses an unknown service for serve, and migrate --down without --yes', async () => {
    const bad = await runCli(['serve', '--service', 'inventory,shipping']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.err).toMatch(/unknown service "shipping" \(choose from inventory, orders, payments, notifications\)/);
    const down = await runCli(['migrate', '--down']);
    expect(down.code).toBe(EXIT.usage);
    expect(down.err).toMatch(/add --yes to confirm/);
  });

  it('exits 2 on a bad value, naming the allowed ones', async () => {
    const { code, err } = await runCli(['stack', 'stop', '--only', 'redis']);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/unknown part "redis" \(choose from postgres, kafka, temporal, mailpit\)/);
  });
});
