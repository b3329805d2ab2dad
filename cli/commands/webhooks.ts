import { Command, Option } from 'commander';
import type { WebhookDeliveryView, WebhookSubscriptionView } from '../../api/ports';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhooks';
import { answerOf } from '../api-client';
import { withDefaults, type CommandDeps } from '../deps';
import { CliError, EXIT } from '../errors';
import { render, table, type Io, type OutputOptions } from '../output';
import { addPagingOptions, collectPages, type PagingOptions } from '../paging';
import { idParser, listParser } from '../parsers';
import { details, orDash, time, truncate } from '../render/format';

const subscriptionParams = (id: string) => ({ params: { path: { id } } });

/** --events: a comma-separated list of the event types a subscription may name. */
function eventsParser(value: string): WebhookEventType[] {
  const types = listParser(value);
  const known = types.filter(isWebhookEventType);
  const unknown = types.filter((t) => !isWebhookEventType(t));
  if (types.length === 0 || unknown.length > 0) {
    throw new CliError(`--events must name one or more of ${WEBHOOK_EVENT_TYPES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`, EXIT.usage);
  }
  return [...new Set(known)];
}

/** Subscriptions as a table, one line each. */
export function subscriptionsTable(items: WebhookSubscriptionView[], now: Date): string {
  if (items.length === 0) return 'no webhook subscriptions';
  return table(
    ['id', 'status', 'url', 'events', 'failures', 'created'],
    items.map((s) => [s.id, s.status, truncate(s.url, 50), s.eventTypes.join(','), s.consecutiveFailures, time(s.createdAt, now)]),
  );
}

/** One subscription, field by field. */
export function subscriptionDetails(s: WebhookSubscriptionView, now: Date): string {
  return details([
    ['id', s.id],
    ['status', s.status],
    ['url', s.url],
    ['scope', s.scope],
    ['events', s.eventTypes.join(', ')],
    ['description', orDash(s.description)],
    ['failures', s.consecutiveFailures],
    ['disabled', s.disabledReason ? `${time(s.disabledAt, now)}: ${s.disabledReason}` : '-'],
    ['verified', s.verifiedAt ? time(s.verifiedAt, now) : '-'],
    ['created', time(s.createdAt, now)],
  ]);
}

/** Deliveries as a table, one line each, with the last try's answer. */
export function deliveriesTable(items: WebhookDeliveryView[], now: Date): string {
  if (items.length === 0) return 'no deliveries';
  return table(
    ['delivery', 'created', 'event', 'order', 'status', 'tries', 'last answer', 'replay of'],
    items.map((d) => [d.id, time(d.createdAt, now), d.eventType, orDash(d.orderId), d.status, d.attempts, truncate(String(d.lastStatusCode ?? d.lastError ?? '-'), 40), orDash(d.replayOf)]),
  );
}

/** `petstore webhooks`: your webhook subscriptions and their delivery log (a customer's or an admin's token). */
export function webhooksCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const webhooks = new Command('webhooks')
    .description('signed webhook subscriptions to order and payment events, and their delivery log (customer or admin token)')
    .addHelpText(
      'after',
      '\nA customer\'s subscriptions hear of their own orders, an admin\'s of every order.\n\nExample:\n' +
        '  $ export PETSTORE_TOKEN=$(petstore auth token --role customer --user alice)\n' +
        '  $ petstore webhooks create --url https://hooks.example.com/petstore --events OrderConfirmed,PaymentRefunded\n' +
        '  $ petstore webhooks deliveries <subscriptionId>',
    );

  addPagingOptions(webhooks.command('list').description('list your webhook subscriptions, newest first, with their state'), 'subscriptions')
    .option('--json', 'print one JSON document: { items: WebhookSubscription[], nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore webhooks list\n  $ petstore webhooks list --json')
    .action(async (options: OutputOptions & PagingOptions, command: Command) => {
      const api = d.api(command);
      const page = await collectPages(({ limit, cursor }) => answerOf(api.GET('/me/webhooks', { params: { query: { limit, cursor } } })), options);
      render(io, options, page, (p) => subscriptionsTable(p.items, d.now()));
    });

  webhooks
    .command('create')
    .description('subscribe an endpoint; prints the signing secret once. It gets deliveries once it has echoed the verification challenge')
    .addOption(new Option('--url <url>', 'the endpoint (https)').makeOptionMandatory())
    .addOption(new Option('--events <types>', `comma-separated: ${WEBHOOK_EVENT_TYPES.join(', ')}`).argParser(eventsParser).makeOptionMandatory())
    .option('--description <text>', 'your own label')
    .option('--json', 'print the CreatedWebhookSubscription (with its secret) as one JSON document')
    .addHelpText(
      'after',
      '\nThe endpoint first gets a signed webhook.verification request and must answer 2xx with {"challenge":"<data.challenge>"}.\n\n' +
        'Example:\n  $ petstore webhooks create --url https://hooks.example.com/petstore --events OrderConfirmed,OrderCancelled',
    )
    .action(async (options: OutputOptions & { url: string; events: WebhookEventType[]; description?: string }, command: Command) => {
      const created = await answerOf(
        d.api(command).POST('/me/webhooks', {
          body: { url: options.url, eventTypes: options.events, ...(options.description ? { description: options.description } : {}) },
        }),
      );
      render(io, options, created, (s) => `${subscriptionDetails(s, d.now())}\n\nsecret (shown only now; verify signatures with it): ${s.secret}`);
    });

  webhooks
    .command('get')
    .description('show one subscription and its verification state')
    .argument('<id>', 'the subscription id', idParser('the subscription id'))
    .option('--json', 'print the WebhookSubscription as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore webhooks get <subscriptionId>')
    .action(async (id: string, options: OutputOptions, command: Command) => {
      const subscription = await answerOf(d.api(command).GET('/me/webhooks/{id}', subscriptionParams(id)));
      render(io, options, subscription, (s) => subscriptionDetails(s, d.now()));
    });

  webhooks
    .command('delete')
    .description('delete a subscription and its delivery log')
    .argument('<id>', 'the subscription id', idParser('the subscription id'))
    .option('--json', 'print { deleted: id }')
    .addHelpText('after', '\nExample:\n  $ petstore webhooks delete <subscriptionId>')
    .action(async (id: string, options: OutputOptions, command: Command) => {
      await answerOf(d.api(command).DELETE('/me/webhooks/{id}', subscriptionParams(id)));
      render(io, options, { deleted: id }, () => `deleted webhook subscription ${id}`);
    });

  webhooks
    .command('verify')
    .description('send a new verification challenge (re-enables a DISABLED subscription once echoed)')
    .argument('<id>', 'the subscription id', idParser('the subscription id'))
    .option('--json', 'print the WebhookSubscription as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore webhooks verify <subscriptionId>')
    .action(async (id: string, options: OutputOptions, command: Command) => {
      const subscription = await answerOf(d.api(command).POST('/me/webhooks/{id}/verify', subscriptionParams(id)));
      render(io, options, subscription, (s) => `verification requested\n${subscriptionDetails(s, d.now())}`);
    });

  addPagingOptions(
    webhooks
      .command('deliveries')
      .description('the delivery log of a subscription, newest first: each delivery, its tries, status codes and errors')
      .argument('<id>', 'the subscription id', idParser('the subscription id')),
    'deliveries',
  )
    .option('--json', 'print one JSON document: { items: WebhookDelivery[] (each with its tries), nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore webhooks deliveries <subscriptionId> --limit 10\n  $ petstore webhooks deliveries <subscriptionId> --json')
    .action(async (id: string, options: OutputOptions & PagingOptions, command: Command) => {
      const api = d.api(command);
      const page = await collectPages(({ limit, cursor }) => answerOf(api.GET('/me/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit, cursor } } })), options);
      render(io, options, page, (p) => deliveriesTable(p.items, d.now()));
    });

  webhooks
    .command('replay')
    .description('deliver a finished delivery again, with the same webhook-id')
    .argument('<deliveryId>', 'the delivery id (from webhooks deliveries)', idParser('the delivery id'))
    .option('--json', 'print the new WebhookDelivery as one JSON document')
    .addHelpText('after', '\nA pending delivery, or one of a subscription that is not ACTIVE, is refused (exit 1).\n\nExample:\n  $ petstore webhooks replay <deliveryId>')
    .action(async (deliveryId: string, options: OutputOptions, command: Command) => {
      const delivery = await answerOf(d.api(command).POST('/me/webhooks/deliveries/{deliveryId}/replay', { params: { path: { deliveryId } } }));
      render(io, options, delivery, (r) => `queued delivery ${r.id} (replay of ${r.replayOf ?? deliveryId})`);
    });

  return webhooks;
}
