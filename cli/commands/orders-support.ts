import { Command, Option } from 'commander';
import type { Client } from '@temporalio/client';
import type { OrderHistory } from '../../domain/order-history';
import { ORDER_STATUS, type OrderStatus } from '../../domain/orders';
import { createKafka } from '../../kafka/client';
import { kafkaNames } from '../../kafka/topics';
import { loadConfig, type Config } from '../../lib/config';
import { createTemporalClient, temporalUiLink } from '../../lib/temporal';
import { DURATION_GRAMMAR, formatDuration, parseDuration } from '../../lib/duration';
import { UnknownOrderError } from '../../support/errors';
import { createExplainSources, explainOrder, type Explanation, type SupportApi } from '../../support/explain';
import { findStuckOrders, temporalSagaSource, type StuckReport } from '../../support/stuck';
import { answerOf, apiFor, type ApiClient } from '../api-client';
import { CliError, EXIT } from '../errors';
import { render, shortTime, table, type Io } from '../output';

/** Parses --older-than: 0s, 90s, 5m, 1h30m, 2d. */
export const parseOlderThan = (value: string): number => {
  const ms = parseDuration(value);
  if (ms === undefined) throw new CliError(`--older-than must be a duration such as 0s, 90s, 5m, 1h30m or 2d (${DURATION_GRAMMAR}), got "${value}"`, EXIT.usage);
  return ms;
};

/** Connects to Temporal, or fails with what to do about it. */
export async function connectTemporalOrFail(config: Config): Promise<Client> {
  try {
    return await createTemporalClient(config);
  } catch (error) {
    throw new CliError(`cannot reach Temporal at ${config.temporal.address} (${(error as Error).message}): is it running (petstore stack status)? Set TEMPORAL_ADDRESS to point elsewhere.`);
  }
}

/** The human view of `orders stuck`. */
export function renderStuck(report: StuckReport): string {
  if (report.orders.length === 0) return `no open saga has waited longer than ${formatDuration(report.olderThanMs)}`;
  return [
    table(
      ['order', 'status', 'waiting for', 'since', 'deadline', 'customer', 'Temporal UI'],
      report.orders.map((o) => [o.orderId, o.status ?? '?', o.waitingFor ?? '(unknown)', `${formatDuration(o.waitingMs)} ago`, shortTime(o.deadline), o.customerId ?? '-', o.link]),
    ),
    `${report.orders.length} open saga(s) waiting longer than ${formatDuration(report.olderThanMs)}, longest first (times UTC)`,
  ].join('\n');
}

/** The human view of `orders explain`. */
export function renderExplanation(e: Explanation): string {
  const lines: string[] = [];
  const status = e.order?.status ?? e.state?.status ?? '(status unknown: the API did not answer)';
  lines.push(`order ${e.orderId}: ${status}${e.order?.cancelReason ? ` (${e.order.cancelReason})` : ''}${e.order ? `, customer ${e.order.userId}, placed ${shortTime(e.order.createdAt)}` : ''}`);
  if (e.workflow) {
    const waiting = e.state?.waitingFor ? `, waiting for ${e.state.waitingFor}${e.state.deadline ? ` until ${shortTime(e.state.deadline)}` : ''}` : '';
    lines.push(`saga ${e.workflow.workflowId}: ${e.workflow.status}${waiting}`);
    lines.push(`Temporal UI: ${e.workflow.link}`);
  }
  if (e.history) lines.push(describeProjection(e.history));
  lines.push('');
  lines.push(e.timeline.length ? table(['time (UTC)', 'source', 'what', 'detail'], e.timeline.map((t) => [shortTime(t.time), t.source, t.what, t.detail])) : '(nothing found)');
  return lines.join('\n');
}

/** The order-history projection's view in one line: what the events alone say happened. */
export function describeProjection(h: OrderHistory): string {
  const attempts = h.payment.attempts.length;
  const payment = h.payment.outcome ? `payment ${h.payment.outcome} after ${attempts} attempt(s)` : 'no payment outcome';
  const refunded = h.refunds.reduce((sum, r) => sum + r.amountCents, 0);
  const parts = [
    `${h.status ?? 'no status'}${h.cancelReason ? ` (${h.cancelReason})` : ''}`,
    `${h.events.length} event(s)`,
    h.timeline.map((t) => `${t.status} ${shortTime(t.at)}`).join(' → '),
    payment,
    h.refunds.length ? `${h.refunds.length} refund(s), ${(refunded / 100).toFixed(2)} ${h.currency ?? ''}`.trim() : '',
    h.restocks.length ? `${h.restocks.length} restock(s)` : '',
    `${h.notifications.length} notification(s) asked for`,
  ];
  return `history (from the events): ${parts.filter(Boolean).join('; ')}`;
}

/** The CLI's typed REST client as explain's SupportApi: a 404 for the order is "not found", any other failure an error. */
function supportApi(api: ApiClient): SupportApi {
  return {
    order: (orderId) =>
      answerOf(api.GET('/orders/{orderId}', { params: { path: { orderId } } })).catch((error: unknown) => {
        if (error instanceof CliError && error.exitCode === EXIT.notFound) return undefined;
        throw error;
      }),
    payments: (orderId, cursor) => answerOf(api.GET('/payments', { params: { query: { orderId, cursor } } })),
    refunds: (paymentId) => answerOf(api.GET('/payments/{paymentId}/refunds', { params: { path: { paymentId } } })),
    notifications: (orderId, cursor) => answerOf(api.GET('/notifications', { params: { query: { orderId, limit: 100, cursor } } })),
    audit: (orderId) => answerOf(api.GET('/orders/{orderId}/audit', { params: { path: { orderId } } })),
    history: (orderId) =>
      answerOf(api.GET('/orders/{orderId}/history', { params: { path: { orderId } } })).catch((error: unknown) => {
        if (error instanceof CliError && error.exitCode === EXIT.notFound) return undefined;
        throw error;
      }),
  };
}

/** Adds the support subcommands that read Temporal and Kafka directly (stuck, explain) to `petstore orders`. */
export function addSupportCommands(orders: Command, io: Io): void {
  orders
    .command('stuck')
    .description('open sagas whose current wait began longer ago than --older-than: what each waits for, since when, its deadline and Temporal UI link')
    .addOption(new Option('--older-than <duration>', 'how long the current wait has lasted at least (0s lists every open saga)').default(5 * 60_000, '5m').argParser(parseOlderThan))
    .addOption(new Option('--status <status>', 'only sagas in this status').choices(Object.values(ORDER_STATUS)))
    .option('--json', 'print one JSON document: { query, olderThanMs, orders: [...], warnings }')
    .addHelpText(
      'after',
      '\nOpen sagas come from Temporal visibility (eventually consistent: a saga a second old may not be listed yet).\n\nExample:\n  $ petstore orders stuck --older-than 10m --status AWAITING_PAYMENT\n  $ petstore orders stuck --older-than 0s --json | jq -r \'.orders[].link\'',
    )
    .action(async (options: { olderThan: number; status?: OrderStatus; json?: boolean }) => {
      const config = loadConfig();
      const client = await connectTemporalOrFail(config);
      let report: StuckReport;
      try {
        report = await findStuckOrders({
          source: temporalSagaSource(client),
          taskQueue: config.temporal.taskQueue,
          olderThanMs: options.olderThan,
          ...(options.status ? { status: options.status } : {}),
          link: (workflowId) => temporalUiLink(config, workflowId),
        });
      } finally {
        await client.connection.close();
      }
      for (const warning of report.warnings) io.err(`warning: ${warning}`);
      render(io, options, report, renderStuck);
    });

  orders
    .command('explain')
    .description('one timeline of an order: its saga history (Temporal), its events (Kafka), payment, notifications and support actions, with the order-history projection\'s summary')
    .argument('<orderId>', 'the order id')
    .option('--json', 'print one JSON document: { orderId, order, workflow, state, history, timeline: [{ time, source, what, detail }], warnings }')
    .addHelpText(
      'after',
      '\nA source that cannot be reached is named on stderr; the rest is still shown.\n\nExample:\n  $ petstore orders explain 353d3970-4ff1-43ad-bf02-1634e2265816\n  $ petstore orders explain 353d3970-4ff1-43ad-bf02-1634e2265816 --json | jq \'.timeline[] | select(.source == "kafka")\'',
    )
    .action(async (orderId: string, options: { json?: boolean }, command: Command) => {
      const config = loadConfig();
      // Temporal is connected only when asked, so that Temporal being down is a warning like any other source's.
      let client: Client | undefined;
      const temporal = async () => (client ??= await connectTemporalOrFail(config));
      const kafka = createKafka(config, { retries: 3 });
      let explanation: Explanation;
      try {
        explanation = await explainOrder(orderId, createExplainSources({ api: supportApi(apiFor(command)), temporal, kafka, names: kafkaNames(config.namespace), taskQueue: config.temporal.taskQueue }), {
          link: (workflowId) => temporalUiLink(config, workflowId),
        });
      } catch (error) {
        if (error instanceof UnknownOrderError) throw new CliError(error.message, EXIT.notFound);
        throw error;
      } finally {
        await client?.connection.close();
      }
      for (const warning of explanation.warnings) io.err(`warning: ${warning}`);
      render(io, options, explanation, renderExplanation);
    });
}
