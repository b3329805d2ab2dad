import { Command } from 'commander';
import type { NotificationView, Page } from '../../api/ports';
import { answerOf } from '../api-client';
import { withDefaults, type CommandDeps } from '../deps';
import { CliError, EXIT } from '../errors';
import { render, table, type Io, type OutputOptions } from '../output';
import { addPagingOptions, collectPages, type PagingOptions } from '../paging';
import { idParser } from '../parsers';
import { progressLine } from '../progress';
import { orDash, time, truncate } from '../render/format';

/** Notifications as a table, one line each, the body cut to fit (--json has it whole). */
export function notificationsTable(items: NotificationView[], now: Date): string {
  if (items.length === 0) return 'no notifications';
  return table(
    ['created', 'customer', 'order', 'kind', 'channel', 'status', 'body'],
    items.map((n) => [time(n.createdAt, now), n.userId, orDash(n.orderId), n.kind, n.channel, n.status, truncate(n.body, 60)]),
  );
}

/** `petstore notifications`: what customers were told. */
export function notificationsCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const notifications = new Command('notifications')
    .description('the notifications sent to customers')
    .addHelpText('after', '\nExample:\n  $ petstore notifications list --user alice');

  addPagingOptions(
    notifications
      .command('list')
      .description('list a customer\'s notifications, or those about one order, newest first')
      .option('--user <id>', 'the customer', idParser('--user'))
      .option('--order <orderId>', 'only those about this order', idParser('--order')),
    'notifications',
  )
    .option('--json', 'print one JSON document: { items: Notification[], nextCursor }')
    .addHelpText('after', '\nGive --user, --order or both.\n\nExample:\n  $ petstore notifications list --user alice --limit 5\n  $ petstore notifications list --order <orderId> --json')
    .action(async (options: OutputOptions & PagingOptions & { user?: string; order?: string }, command: Command) => {
      if (options.user === undefined && options.order === undefined) throw new CliError('notifications list needs --user <id>, --order <orderId> or both', EXIT.usage);
      const api = d.api(command);
      const progress = progressLine(io, d.progressStream, { spin: true });
      let page: Page<NotificationView>;
      try {
        page = await collectPages(
          ({ limit, cursor }) => answerOf(api.GET('/notifications', { params: { query: { userId: options.user, orderId: options.order, limit, cursor } } })),
          options,
          (fetched) => progress.update(`fetched ${fetched} notifications`),
        );
      } finally {
        progress.stop();
      }
      render(io, options, page, (p) => notificationsTable(p.items, d.now()));
      if (!options.json && page.nextCursor && io.interactive) io.err('(more notifications: pass --all or a larger --limit)');
    });

  return notifications;
}
