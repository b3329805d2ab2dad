import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import type { RequestedItem } from '../../domain/orders';
import { ORDER_LIMITS } from '../../domain/orders';
import { answerOf } from '../api-client';
import { withDefaults, type CommandDeps } from '../deps';
import { CliError, EXIT } from '../errors';
import { render, type Io, type OutputOptions } from '../output';
import { decimalToCents, idParser, intParser, reasonParser } from '../parsers';
import { paymentDetails, paymentsTable, refundDetails, refundsTable } from '../render/payments';

const paymentParams = (paymentId: string) => ({ params: { path: { paymentId } } });

/** --amount: decimal currency units such as 12.50, more than zero, as cents. */
const amountParser = (value: string): number => {
  const cents = decimalToCents(value);
  if (cents === undefined || cents === 0) throw new CliError(`--amount must be an amount above zero in currency units such as 12.50 (at most 2 decimals), got "${value}"`, EXIT.usage);
  return cents;
};

/** One --item value, `petId:qty`, added to those before it. */
function refundItemParser(value: string, previous: RequestedItem[] | undefined): RequestedItem[] {
  const at = value.lastIndexOf(':');
  if (at <= 0) throw new CliError(`--item must be <petId>:<quantity>, e.g. --item 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d:1, got "${value}"`, EXIT.usage);
  const petId = idParser(`--item ${value}: the pet id`)(value.slice(0, at));
  const quantity = intParser(`--item ${value}: the quantity`, 1, ORDER_LIMITS.maxQuantityPerItem)(value.slice(at + 1));
  return [...(previous ?? []), { petId, quantity }];
}

interface RefundOptions extends OutputOptions {
  reason: string;
  amount?: number;
  item?: RequestedItem[];
  restock?: boolean;
  idempotencyKey?: string;
}

/** `petstore payments`: look up payments and refund them, in full or in part (support). */
export function paymentsCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const payments = new Command('payments')
    .description('payments: look one up, list an order\'s, refund in full or in part, list refunds (support token)')
    .addHelpText(
      'after',
      '\nExample:\n  $ petstore payments list --order <orderId>\n  $ petstore payments refund <paymentId> --amount 12.50 --reason "goodwill"\n  $ petstore payments refunds <paymentId>',
    );

  payments
    .command('get')
    .description('show one payment: amount, refunded so far, status and why it failed')
    .argument('<paymentId>', 'the payment id', idParser('the payment id'))
    .option('--json', 'print the Payment as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore payments get 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')
    .action(async (paymentId: string, options: OutputOptions, command: Command) => {
      const payment = await answerOf(d.api(command).GET('/payments/{paymentId}', paymentParams(paymentId)));
      render(io, options, payment, (p) => paymentDetails(p, d.now()));
    });

  payments
    .command('list')
    .description('list the payments of an order (retries are attempts of the one payment)')
    .addOption(new Option('--order <orderId>', 'the order').argParser(idParser('--order')).makeOptionMandatory())
    .option('--json', 'print one JSON document: { items: Payment[], nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore payments list --order 5f0c1e9a-2b7d-4d8e-9a4c-1f2e3d4c5b6a')
    .action(async (options: OutputOptions & { order: string }, command: Command) => {
      const page = await answerOf(d.api(command).GET('/payments', { params: { query: { orderId: options.order } } }));
      render(io, options, page, (p) => paymentsTable(p.items, d.now()));
    });

  payments
    .command('refund')
    .description('refund a captured payment through the gateway: an amount, some order lines, or (neither) all that remains; the order itself is not cancelled (see orders force-cancel)')
    .argument('<paymentId>', 'the payment id', idParser('the payment id'))
    .addOption(new Option('--reason <text>', 'why, 1 to 500 characters (kept in the audit)').argParser(reasonParser).makeOptionMandatory())
    .addOption(new Option('--amount <amount>', 'refund this amount, in currency units such as 12.50').argParser(amountParser).conflicts('item'))
    .addOption(new Option('--item <petId:qty>', 'refund this order line (at its captured price); repeat --item for more lines').argParser(refundItemParser))
    .option('--restock', 'put the refunded lines back in stock (with --item, or when refunding all that remains)')
    .option('--idempotency-key <key>', 'retry a refund safely: the same key and options give the first refund again (one is generated and printed if left out)')
    .option('--json', 'print the PaymentRefund as one JSON document')
    .addHelpText(
      'after',
      [
        '',
        'Never beyond what was captured minus earlier refunds: such a refund is refused (exit 1) and nothing changes.',
        'Without --amount or --item the refund takes all that remains. Each refund has an Idempotency-Key; when you',
        'give none, one is generated and printed on stderr: repeat the command with it to retry without refunding twice.',
        '',
        'Example:',
        '  $ petstore payments refund <paymentId> --amount 12.50 --reason "late delivery, goodwill"',
        '  $ petstore payments refund <paymentId> --item <petId>:1 --restock --reason "returned one kitten"',
        '  $ petstore payments refund <paymentId> --reason "refund the rest"',
      ].join('\n'),
    )
    .action(async (paymentId: string, options: RefundOptions, command: Command) => {
      if (options.restock && options.amount !== undefined) throw new CliError('--restock needs order lines: use --item <petId>:<qty> rather than --amount', EXIT.usage);
      const key = options.idempotencyKey ?? `refund-${randomUUID()}`;
      if (!/^[\x21-\x7E]{1,255}$/.test(key)) throw new CliError('--idempotency-key must be 1 to 255 printable characters without spaces', EXIT.usage);
      if (!options.idempotencyKey) io.err(`idempotency key: ${key} (repeat with --idempotency-key ${key} to retry this refund safely)`);
      const body = {
        reason: options.reason,
        ...(options.amount === undefined ? {} : { amountCents: options.amount }),
        ...(options.item ? { items: options.item } : {}),
        ...(options.restock ? { restock: true } : {}),
      };
      const refund = await answerOf(d.api(command).POST('/payments/{paymentId}/refunds', { params: { path: { paymentId }, header: { 'idempotency-key': key } }, body }));
      render(io, options, refund, (r) => refundDetails(r, d.now()));
    });

  payments
    .command('refunds')
    .description('list the refunds of a payment, oldest first: amount, lines, restock, what remained, who and why')
    .argument('<paymentId>', 'the payment id', idParser('the payment id'))
    .option('--json', 'print one JSON document: { items: PaymentRefund[] }')
    .addHelpText('after', '\nExample:\n  $ petstore payments refunds 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')
    .action(async (paymentId: string, options: OutputOptions, command: Command) => {
      const list = await answerOf(d.api(command).GET('/payments/{paymentId}/refunds', paymentParams(paymentId)));
      render(io, options, list, (l) => refundsTable(l.items, d.now()));
    });

  return payments;
}
