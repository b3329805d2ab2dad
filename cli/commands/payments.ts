import { Command, Option } from 'commander';
import type { Page, PaymentView } from '../../api/ports';
import { withDefaults, type CommandDeps } from '../deps';
import { render, type Io, type OutputOptions } from '../output';
import { idParser, reasonParser } from '../parsers';
import { paymentDetails, paymentsTable } from '../render/payments';

const paymentPath = (paymentId: string): `/payments/${string}` => `/payments/${encodeURIComponent(paymentId)}`;

/** `petstore payments`: look up payments and refund them (support). */
export function paymentsCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const payments = new Command('payments')
    .description('payments: look one up, list an order\'s, refund (support token)')
    .addHelpText('after', '\nExample:\n  $ petstore payments list --order <orderId>\n  $ petstore payments refund <paymentId> --reason "goodwill"');

  payments
    .command('get')
    .description('show one payment: amount, status and why it failed')
    .argument('<paymentId>', 'the payment id', idParser('the payment id'))
    .option('--json', 'print the Payment as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore payments get 7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d')
    .action(async (paymentId: string, options: OutputOptions, command: Command) => {
      const payment = await d.api(command).request<PaymentView>('GET', paymentPath(paymentId));
      render(io, options, payment, (p) => paymentDetails(p, d.now()));
    });

  payments
    .command('list')
    .description('list the payments of an order (retries are attempts of the one payment)')
    .addOption(new Option('--order <orderId>', 'the order').argParser(idParser('--order')).makeOptionMandatory())
    .option('--json', 'print one JSON document: { items: Payment[], nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore payments list --order 5f0c1e9a-2b7d-4d8e-9a4c-1f2e3d4c5b6a')
    .action(async (options: OutputOptions & { order: string }, command: Command) => {
      const page = await d.api(command).request<Page<PaymentView>>('GET', '/payments', { query: { orderId: options.order } });
      render(io, options, page, (p) => paymentsTable(p.items, d.now()));
    });

  payments
    .command('refund')
    .description('refund a succeeded payment through the gateway, once (the order itself is not cancelled: see orders force-cancel)')
    .argument('<paymentId>', 'the payment id', idParser('the payment id'))
    .addOption(new Option('--reason <text>', 'why, 1 to 500 characters (kept in the audit)').argParser(reasonParser).makeOptionMandatory())
    .option('--json', 'print the refunded Payment as one JSON document')
    .addHelpText('after', '\nA payment that is not SUCCEEDED (pending, failed, already refunded) is refused (exit 1).\n\nExample:\n  $ petstore payments refund <paymentId> --reason "pet arrived ill, refund agreed"')
    .action(async (paymentId: string, options: OutputOptions & { reason: string }, command: Command) => {
      const payment = await d.api(command).request<PaymentView>('POST', `${paymentPath(paymentId)}/refund`, { body: { reason: options.reason } });
      render(io, options, payment, (p) => `refunded payment ${p.id}\n${paymentDetails(p, d.now())}`);
    });

  return payments;
}
