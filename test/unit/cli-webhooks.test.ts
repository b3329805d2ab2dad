import { webhooksCommand } from '../../cli/commands/webhooks';
import { EXIT } from '../../cli/errors';
import type { WebhookDeliveryView, WebhookSubscriptionView } from '../../api/ports';
import { fakeApi, fakeDeps, plain, problem, runGroup, type Routes } from './cli-harness';

const SUB = '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const DELIVERY = '5f0c1e9a-2b7d-4d8e-9a4c-1f2e3d4c5b6a';

const subscription = (overrides: Partial<WebhookSubscriptionView> = {}): WebhookSubscriptionView => ({
  id: SUB,
  url: 'https://hooks.example.com/petstore',
  scope: 'own-orders',
  eventTypes: ['OrderConfirmed', 'PaymentRefunded'],
  description: null,
  status: 'ACTIVE',
  consecutiveFailures: 0,
  disabledReason: null,
  verifiedAt: '2025-03-01T11:00:00.000Z',
  disabledAt: null,
  createdAt: '2025-03-01T11:00:00.000Z',
  updatedAt: '2025-03-01T11:00:00.000Z',
  ...overrides,
});

const delivery = (overrides: Partial<WebhookDeliveryView> = {}): WebhookDeliveryView => ({
  id: DELIVERY,
  subscriptionId: SUB,
  messageId: DELIVERY,
  eventType: 'OrderConfirmed',
  eventId: 'e-1',
  orderId: 'o-1',
  status: 'FAILED',
  attempts: 3,
  nextAttemptAt: null,
  lastStatusCode: 500,
  lastError: 'the webhook endpoint answered 500',
  replayOf: null,
  createdAt: '2025-03-01T11:30:00.000Z',
  deliveredAt: null,
  tries: [{ attempt: 1, startedAt: '2025-03-01T11:30:00.000Z', durationMs: 12, statusCode: 500, error: 'the webhook endpoint answered 500' }],
  ...overrides,
});

function webhooks(routes: Routes) {
  const api = fakeApi(routes);
  return { api, run: (args: string[]) => runGroup((io) => webhooksCommand(io, fakeDeps(api)), ['webhooks', ...args]) };
}

describe('petstore webhooks', () => {
  it('creates a subscription with the event types and prints the secret once', async () => {
    const { api, run } = webhooks({ 'POST /me/webhooks': () => ({ status: 201, body: { ...subscription({ status: 'PENDING_VERIFICATION' }), secret: 'whsec_abc' } }) });
    const human = await run(['create', '--url', 'https://hooks.example.com/petstore', '--events', 'OrderConfirmed, PaymentRefunded', '--description', 'crm']);
    expect(human.code).toBe(EXIT.ok);
    expect(plain(human.out)).toMatch(/status\s+PENDING_VERIFICATION/);
    expect(plain(human.out)).toMatch(/secret \(shown only now.*\): whsec_abc/);
    expect(api.requests[0]!.body).toEqual({ url: 'https://hooks.example.com/petstore', eventTypes: ['OrderConfirmed', 'PaymentRefunded'], description: 'crm' });
    expect(JSON.parse((await run(['create', '--url', 'https://h.example.com/', '--events', 'OrderPlaced', '--json'])).out).secret).toBe('whsec_abc');
  });

  it('refuses an unknown event type before calling the API (exit 2)', async () => {
    const { api, run } = webhooks({});
    const result = await run(['create', '--url', 'https://h.example.com/', '--events', 'OrderShipped']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.err).toMatch(/unknown: OrderShipped/);
    expect(api.requests).toEqual([]);
  });

  it('lists subscriptions as a table or one JSON document', async () => {
    const page = { items: [subscription()], nextCursor: null };
    const { run } = webhooks({ 'GET /me/webhooks': () => ({ body: page }) });
    expect(plain((await run(['list'])).out)).toMatch(new RegExp(`${SUB}\\s+ACTIVE\\s+https://hooks.example.com/petstore\\s+OrderConfirmed,PaymentRefunded\\s+0`));
    expect(JSON.parse((await run(['list', '--json'])).out)).toEqual(page);
  });

  it('shows the delivery log and replays a delivery', async () => {
    const { api, run } = webhooks({
      'GET /me/webhooks/:id/deliveries': () => ({ body: { items: [delivery()], nextCursor: null } }),
      'POST /me/webhooks/deliveries/:deliveryId/replay': ({ params }) => ({ status: 202, body: delivery({ id: 'new-1', status: 'PENDING', attempts: 0, replayOf: params.deliveryId!, tries: [] }) }),
    });
    expect(plain((await run(['deliveries', SUB])).out)).toMatch(new RegExp(`${DELIVERY}\\s+.*OrderConfirmed\\s+o-1\\s+FAILED\\s+3\\s+500`));
    const replayed = await run(['replay', DELIVERY]);
    expect(replayed.code).toBe(EXIT.ok);
    expect(replayed.out).toContain(`queued delivery new-1 (replay of ${DELIVERY})`);
    expect(api.requests.at(-1)!.path).toBe(`/me/webhooks/deliveries/${DELIVERY}/replay`);
  });

  it('deletes, and exits 3 for a subscription that is not yours', async () => {
    const { run } = webhooks({ 'DELETE /me/webhooks/:id': ({ params }) => (params.id === SUB ? { status: 204 } : problem(404, 'webhook subscription not found')) });
    expect((await run(['delete', SUB])).out).toContain(`deleted webhook subscription ${SUB}`);
    expect(JSON.parse((await run(['delete', SUB, '--json'])).out)).toEqual({ deleted: SUB });
    expect((await run(['delete', DELIVERY])).code).toBe(EXIT.notFound);
  });
});
