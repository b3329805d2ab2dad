import { Command, Option } from 'commander';
import type { Page } from '../../api/ports';
import { ORDER_LIMITS, ORDER_STATUS, TERMINAL_ORDER_STATUSES, type OrderStatus, type RequestedItem } from '../../domain/orders';
import { PAYMENT_STATUS, TEST_TOKENS } from '../../domain/payments';
import { answerOf } from '../api-client';
import { withDefaults, type CommandDeps } from '../deps';
import { CliError, EXIT } from '../errors';
import { render, type Io, type OutputOptions } from '../output';
import { addPagingOptions, collectPages, type PagingOptions } from '../paging';
import { durationParser, idParser, intParser, parseSince, reasonParser } from '../parsers';
import { progressLine } from '../progress';
import { orderDetails, ordersTable, orderStatus, type OrderWithLinks } from '../render/orders';
import { money } from '../render/format';
import { paymentDetails } from '../render/payments';
import { addSupportCommands } from './orders-support';

const orderParams = (orderId: string) => ({ params: { path: { orderId } } });
const orderIdArgument = ['<orderId>', 'the order id', idParser('the order id')] as const;

const TOKEN_HELP = `the customer's payment token (test tokens: ${Object.values(TEST_TOKENS).join(', ')}); --payment-token, not --token: --token is the global API bearer token`;

const paymentTokenParser = (value: string): string => {
  if (value.length < 1 || value.length > 200) throw new CliError(`--payment-token must be 1 to 200 characters, got ${value.length}`, EXIT.usage);
  return value;
};

const idempotencyKeyParser = (value: string): string => {
  if (!/^[\x21-\x7E]{1,255}$/.test(value)) throw new CliError(`--idempotency-key must be 1 to 255 visible ASCII characters, got "${value}"`, EXIT.usage);
  return value;
};

/**
 * One --pet value, `id` or `id:qty` (quantity 1 to ORDER_LIMITS.maxQuantityPerItem, default 1), added to
 * those before it; the same pet twice adds up.
 */
function petItemParser(value: string, previous: RequestedItem[] | undefined): RequestedItem[] {
  const items = previous ?? [];
  const colon = value.lastIndexOf(':');
  const [rawId, rawQuantity] = colon === -1 ? [value, '1'] : [value.slice(0, colon), value.slice(colon + 1)];
  const petId = idParser(`--pet ${value}: the pet id`)(rawId);
  const quantity = intParser(`--pet ${value}: the quantity`, 1, ORDER_LIMITS.maxQuantityPerItem)(rawQuantity);
  const same = items.find((item) => item.petId === petId);
  if (same) {
    const total = same.quantity + quantity;
    if (total > ORDER_LIMITS.maxQuantityPerItem) throw new CliError(`--pet ${petId}: ${total} in all, at most ${ORDER_LIMITS.maxQuantityPerItem} of one pet per order`, EXIT.usage);
    return items.map((item) => (item === same ? { petId, quantity: total } : item));
  }
  if (items.length >= ORDER_LIMITS.maxItems) throw new CliError(`at most ${ORDER_LIMITS.maxItems} different pets per order`, EXIT.usage);
  return [...items, { petId, quantity }];
}

const clock = (date: Date) => date.toTimeString().slice(0, 8);

/** What `orders watch` saw. */
export interface WatchResult {
  order: OrderWithLinks;
  /** Each status seen, in order, with when the CLI first saw it. */
  transitions: { status: OrderStatus; cancelReason: string | null; at: string }[];
  /** The final status, or `timeout` when --timeout ran out first. */
  outcome: OrderStatus | 'timeout';
}

/** `petstore orders`: look up, place, follow and act on orders (support). */
export function ordersCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const orders = new Command('orders')
    .description('orders and their sagas: look up, list, place for a customer, watch, cancel, retry a payment, renotify (support token)')
    .addHelpText('after', '\nExample:\n  $ petstore orders list --status AWAITING_PAYMENT --since 1h\n  $ petstore orders watch <orderId>');

  orders
    .command('get')
    .description('show one order: status, items, total, payment and its saga in the Temporal UI')
    .argument(...orderIdArgument)
    .option('--json', 'print the order (with links.temporal) as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore orders get 5f0c1e9a-2b7d-4d8e-9a4c-1f2e3d4c5b6a')
    .action(async (orderId: string, options: OutputOptions, command: Command) => {
      const order = await answerOf(d.api(command).GET('/orders/{orderId}', orderParams(orderId)));
      render(io, options, order, (o) => orderDetails(o, d.now()));
    });

  addPagingOptions(
    orders
      .command('list')
      .description('list orders, newest first: one customer\'s (--user), or by status and age across all customers')
      .option('--user <id>', 'only this customer\'s orders', idParser('--user'))
      .addOption(new Option('--status <status>', 'only orders in this status').choices(Object.values(ORDER_STATUS)))
      .option('--since <when>', 'only orders created since: a duration back from now (30m, 1h, 2d, 1w) or an ISO time (2025-03-01T09:00:00Z)', (value: string) => parseSince(value, d.now())),
    'orders',
  )
    .option('--json', 'print one JSON document: { items: Order[], nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore orders list --user alice\n  $ petstore orders list --status AWAITING_PAYMENT --since 30m\n  $ petstore orders list --status CANCELLED --since 2025-03-01 --all --json')
    .action(async (options: OutputOptions & PagingOptions & { user?: string; status?: OrderStatus; since?: string }, command: Command) => {
      const api = d.api(command);
      // One customer's orders come from the route customers use too; any other filter needs the support-wide list.
      const byUser = options.user !== undefined && options.status === undefined && options.since === undefined;
      const progress = progressLine(io, d.progressStream, { spin: true });
      let page: Page<OrderWithLinks>;
      try {
        page = await collectPages(
          ({ limit, cursor }) =>
            byUser
              ? answerOf(api.GET('/orders/user/{userId}', { params: { path: { userId: options.user! }, query: { limit, cursor } } }))
              : answerOf(api.GET('/orders', { params: { query: { status: options.status, since: options.since, userId: options.user, limit, cursor } } })),
          options,
          (fetched) => progress.update(`fetched ${fetched} orders`),
        );
      } finally {
        progress.stop();
      }
      render(io, options, page, (p) => ordersTable(p.items, d.now()));
      if (!options.json && page.nextCursor && io.interactive) io.err('(more orders: pass --all or a larger --limit)');
    });

  orders
    .command('place')
    .description('place an order for a customer (support), which starts its saga')
    .addOption(new Option('--user <id>', 'the customer the order is for').argParser(idParser('--user')).makeOptionMandatory())
    .addOption(
      new Option('--pet <id[:qty]>', `a pet and how many, 1 to ${ORDER_LIMITS.maxQuantityPerItem} (default 1); repeat --pet for more pets`)
        .argParser(petItemParser)
        .makeOptionMandatory(),
    )
    .addOption(new Option('--payment-token <token>', TOKEN_HELP).argParser(paymentTokenParser).makeOptionMandatory())
    .option('--idempotency-key <key>', 'repeat an earlier request safely (same key: the same order, never a second one); default: a fresh key', idempotencyKeyParser)
    .option('--json', 'print { orderId, status, links } as one JSON document')
    .addHelpText(
      'after',
      '\nAnswers as soon as the order is written, before its saga has reserved or charged anything: follow it with\n' +
        '`petstore orders watch <orderId>` or in the Temporal UI (the link is printed).\n\n' +
        'Example:\n  $ petstore orders place --user alice --pet 0b7c6a52-7f0e-4c55-9d57-3d2f1f0a1a11:2 --pet 9d4e7b10-1c2a-4f3b-8e5d-6a7b8c9d0e1f --payment-token tok_ok',
    )
    .action(async (options: OutputOptions & { user: string; pet: RequestedItem[]; paymentToken: string; idempotencyKey?: string }, command: Command) => {
      const key = options.idempotencyKey ?? d.newIdempotencyKey();
      const placed = await answerOf(d.api(command).POST('/orders', {
        params: { header: { 'idempotency-key': key } },
        body: { userId: options.user, items: options.pet, paymentToken: options.paymentToken },
      }));
      if (io.interactive && !options.json) io.err(`(Idempotency-Key ${key}: pass --idempotency-key ${key} to repeat this request safely)`);
      render(io, options, placed, (p) =>
        [`placed order ${p.orderId} for ${options.user}: ${p.status}`, `Temporal UI  ${p.links.temporal ?? '-'}`, `follow it:   petstore orders watch ${p.orderId}`].join('\n'),
      );
    });

  orders
    .command('watch')
    .description('follow an order until it is confirmed or cancelled, printing each status change')
    .argument(...orderIdArgument)
    .addOption(new Option('--interval <duration>', 'how often to ask the API, e.g. 500ms, 2s').argParser(durationParser('--interval', 100)).default(1000, '1s'))
    .option('--timeout <duration>', 'give up after this long, e.g. 5m (exit 1); default: wait for the outcome', durationParser('--timeout', 1000))
    .option('--json', 'print one JSON document at the end: { order, transitions: [{ status, cancelReason, at }], outcome }')
    .addHelpText(
      'after',
      '\nExit code: 0 when the order is CONFIRMED, 1 when it is CANCELLED (or --timeout ran out), 3 when there is no such order.\n\n' +
        'Example:\n  $ petstore orders watch <orderId>\n  $ petstore orders watch <orderId> --timeout 5m --json | jq .outcome',
    )
    .action(async (orderId: string, options: OutputOptions & { interval: number; timeout?: number }, command: Command) => {
      const api = d.api(command);
      const started = d.now().getTime();
      const transitions: WatchResult['transitions'] = [];
      const progress = progressLine(io, d.progressStream, { spin: true });
      let order: OrderWithLinks;
      let timedOut = false;
      try {
        for (;;) {
          order = await answerOf(api.GET('/orders/{orderId}', orderParams(orderId)));
          const now = d.now();
          if (order.status !== transitions.at(-1)?.status) {
            transitions.push({ status: order.status, cancelReason: order.cancelReason, at: now.toISOString() });
            if (!options.json) {
              progress.clear();
              if (transitions.length === 1) io.out(`order ${order.id} (customer ${order.userId})  Temporal UI: ${order.links.temporal ?? '-'}`);
              io.out(`${clock(now)}  ${orderStatus(order)}`);
            }
          }
          if (TERMINAL_ORDER_STATUSES.includes(order.status)) break;
          const waited = now.getTime() - started;
          if (options.timeout !== undefined && waited >= options.timeout) {
            timedOut = true;
            break;
          }
          progress.update(`${order.status}: waiting (${Math.round(waited / 1000)}s)`);
          await d.sleep(options.interval);
        }
      } finally {
        progress.stop();
      }
      const result: WatchResult = { order, transitions, outcome: timedOut ? 'timeout' : order.status };
      render(io, options, result, ({ order: o, outcome }) => {
        if (outcome === 'timeout') return `still ${o.status} after ${Math.round(options.timeout! / 1000)}s`;
        if (o.status === ORDER_STATUS.CANCELLED) return `cancelled${o.cancelReason ? `: ${o.cancelReason}` : ''}`;
        return `confirmed: ${money(o.totalCents, o.currency)}, payment ${o.paymentId ?? '-'}`;
      });
      if (timedOut) throw new CliError(`order ${orderId} is still ${order.status} after ${Math.round(options.timeout! / 1000)}s`);
      if (order.status === ORDER_STATUS.CANCELLED) throw new CliError(`order ${orderId} was cancelled${order.cancelReason ? ` (${order.cancelReason})` : ''}`);
    });

  const cancelAction = (force: boolean) => async (orderId: string, options: OutputOptions & { reason: string }, command: Command) => {
    const api = d.api(command);
    const before = await answerOf(api.GET('/orders/{orderId}', orderParams(orderId)));
    if (!force && before.status === ORDER_STATUS.CONFIRMED) {
      throw new CliError(`order ${orderId} is confirmed and paid: cancelling it refunds the payment; if that is what you want, run \`petstore orders force-cancel ${orderId} --reason "..."\``);
    }
    const after = await answerOf(api.POST('/orders/{orderId}/cancel', { ...orderParams(orderId), body: { reason: options.reason } }));
    render(io, options, after, (o) => {
      const headline =
        before.status === ORDER_STATUS.CANCELLED
          ? `order ${o.id} was already cancelled`
          : `cancelled order ${o.id} (was ${before.status})${before.status === ORDER_STATUS.CONFIRMED ? `: the Payment service refunds payment ${before.paymentId ?? ''}`.trimEnd() : ''}`;
      return `${headline}\n${orderDetails(o, d.now())}`;
    });
  };

  orders
    .command('cancel')
    .description('cancel an order that is not paid yet (a confirmed order is refused: see force-cancel)')
    .argument(...orderIdArgument)
    .addOption(new Option('--reason <text>', 'why, 1 to 500 characters (kept in the audit)').argParser(reasonParser).makeOptionMandatory())
    .option('--json', 'print the order as one JSON document')
    .addHelpText('after', '\nThe saga restocks what it reserved. Cancelling an already cancelled order changes nothing.\n\nExample:\n  $ petstore orders cancel <orderId> --reason "customer asked by phone"')
    .action(cancelAction(false));

  orders
    .command('force-cancel')
    .description('cancel an order in any state (support): a captured payment is refunded and reserved stock restocked')
    .argument(...orderIdArgument)
    .addOption(new Option('--reason <text>', 'why, 1 to 500 characters (kept in the audit)').argParser(reasonParser).makeOptionMandatory())
    .option('--json', 'print the order as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore orders force-cancel <orderId> --reason "duplicate order, refund agreed with customer"')
    .action(cancelAction(true));

  orders
    .command('retry-payment')
    .description('charge an order awaiting payment again, with a (new) payment token; each run is a new attempt')
    .argument(...orderIdArgument)
    .addOption(new Option('--payment-token <token>', TOKEN_HELP).argParser(paymentTokenParser).makeOptionMandatory())
    .option('--idempotency-key <key>', 'repeat an earlier attempt safely instead of making a new one (default: a fresh key)', idempotencyKeyParser)
    .option('--json', 'print the Payment as one JSON document')
    .addHelpText('after', '\nExit code 1 when the gateway declines the payment.\n\nExample:\n  $ petstore orders retry-payment <orderId> --payment-token tok_ok')
    .action(async (orderId: string, options: OutputOptions & { paymentToken: string; idempotencyKey?: string }, command: Command) => {
      const key = options.idempotencyKey ?? d.newIdempotencyKey();
      const payment = await answerOf(
        d.api(command).POST('/payments', {
          params: { header: { 'idempotency-key': key } },
          body: { orderId, paymentToken: options.paymentToken },
        }),
      );
      render(io, options, payment, (p) => `payment attempt for order ${orderId} (Idempotency-Key ${key})\n${paymentDetails(p, d.now())}`);
      if (payment.status === PAYMENT_STATUS.FAILED) throw new CliError(`payment ${payment.id} failed${payment.failureReason ? ` (${payment.failureReason})` : ''}`);
    });

  orders
    .command('renotify')
    .description('send the customer a fresh notification of the order\'s current status')
    .argument(...orderIdArgument)
    .option('--reason <text>', 'why, 1 to 500 characters (kept in the audit)', reasonParser)
    .option('--json', 'print { orderId, eventId } as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore orders renotify <orderId> --reason "customer lost the confirmation e-mail"')
    .action(async (orderId: string, options: OutputOptions & { reason?: string }, command: Command) => {
      const queued = await answerOf(
        d.api(command).POST('/orders/{orderId}/renotify', {
          ...orderParams(orderId),
          body: options.reason === undefined ? {} : { reason: options.reason },
        }),
      );
      render(io, options, { orderId, eventId: queued.eventId }, (r) => `queued a notification of order ${r.orderId}'s status (event ${r.eventId})`);
    });

  addSupportCommands(orders, io);
  return orders;
}
