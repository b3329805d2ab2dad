import type { Command } from 'commander';
import { completionCommand } from '../../cli/commands/completion';
import { notificationsCommand } from '../../cli/commands/notifications';
import { ordersCommand } from '../../cli/commands/orders';
import { paymentsCommand } from '../../cli/commands/payments';
import { petsCommand } from '../../cli/commands/pets';
import { webhooksCommand } from '../../cli/commands/webhooks';
import { EXIT } from '../../cli/errors';
import type { Io } from '../../cli/output';
import { fakeApi, fakeDeps, runGroup } from './cli-harness';

function paths(command: Command, prefix: string[]): string[][] {
  return [prefix, ...command.commands.flatMap((sub) => paths(sub, [...prefix, sub.name()]))];
}

describe('help of the data commands', () => {
  const deps = fakeDeps(fakeApi({}));
  const groups: ((io: Io) => Command)[] = [(io) => petsCommand(io, deps), (io) => ordersCommand(io, deps), (io) => paymentsCommand(io, deps), (io) => notificationsCommand(io, deps), (io) => webhooksCommand(io, deps), completionCommand];

  it('has an Example: section on every command and subcommand', async () => {
    const io: Io = { out: () => undefined, err: () => undefined, interactive: false };
    for (const group of groups) {
      const root = group(io);
      for (const path of paths(root, [root.name()])) {
        const { code, out } = await runGroup(group, [...path, '--help']);
        expect({ path, code }).toEqual({ path, code: EXIT.ok });
        expect(out).toMatch(/Example:\n\s+\$ .*petstore /);
      }
    }
  });

  it('says how pets add takes the price, and that --payment-token is not --token', async () => {
    const add = await runGroup((io) => petsCommand(io, deps), ['pets', 'add', '--help']);
    expect(add.out).toMatch(/--price <amount>\s+price in currency UNITS/);
    expect(add.out).toMatch(/--price-cents <cents>\s+price in integer CENTS/);
    const place = await runGroup((io) => ordersCommand(io, deps), ['orders', 'place', '--help']);
    expect(place.out).toMatch(/--payment-token, not --token/);
  });
});
