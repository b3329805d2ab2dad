import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { EventEnvelope } from '../../domain/events';
import { loadConfig, webhookSecretBytes } from '../../lib/config';
import { webhookSender } from '../../services/notifications/channels';
import { newWebhookSecret } from '../../services/notifications/signing';
import { echoesChallenge } from '../../services/notifications/subscription-delivery';
import { VERIFICATION_TYPE, webhookBody, webhookPayload, type WebhookEventType } from '../../services/notifications/webhook-events';
import { checkWebhookUrl, refusedAddress, WebhookPolicyError } from '../../services/notifications/webhook-policy';

const envelope = <T extends WebhookEventType>(type: T, data: EventEnvelope<T>['data']): EventEnvelope<T> => ({
  id: '11111111-1111-4111-8111-111111111111',
  type,
  source: 'orders',
  time: '2026-12-02T10:00:00.000Z',
  orderId: '22222222-2222-4222-8222-222222222222',
  correlationId: 'c-1',
  data,
  version: 1,
});

describe('webhook deliveries: what a subscriber is told', () => {
  it('never passes on the payment token of an OrderPlaced', () => {
    const payload = webhookPayload(envelope('OrderPlaced', { userId: 'alice', items: [{ petId: 'p-1', quantity: 2 }], paymentToken: 'tok_secret_card' }));
    expect(payload).toEqual({ eventId: expect.any(String), orderId: expect.any(String), occurredAt: '2026-12-02T10:00:00.000Z', userId: 'alice', items: [{ petId: 'p-1', quantity: 2 }] });
    expect(JSON.stringify(payload)).not.toContain('tok_');
  });

  it('passes on the facts of the other events with the order and event ids', () => {
    expect(webhookPayload(envelope('OrderConfirmed', { userId: 'alice', totalCents: 900, currency: 'EUR' }))).toEqual({
      eventId: '11111111-1111-4111-8111-111111111111',
      orderId: '22222222-2222-4222-8222-222222222222',
      occurredAt: '2026-12-02T10:00:00.000Z',
      userId: 'alice',
      totalCents: 900,
      currency: 'EUR',
    });
  });

  it('lays the body out as Standard Webhooks does: type, timestamp, data', () => {
    expect(JSON.parse(webhookBody('OrderConfirmed', new Date('2026-12-02T10:00:00Z'), { a: 1 }))).toEqual({ type: 'OrderConfirmed', timestamp: '2026-12-02T10:00:00.000Z', data: { a: 1 } });
  });
});

describe('the verification handshake', () => {
  it.each([
    ['the challenge as JSON', '{"challenge":"abc123"}', true],
    ['the challenge as text', ' abc123\n', true],
    ['another challenge', '{"challenge":"abc124"}', false],
    ['an empty answer', '', false],
    ['the challenge nested elsewhere', '{"data":{"challenge":"abc123"}}', false],
    ['JSON that is not an object', '"abc"', false],
  ])('an answer with %s echoes it: %s', (_label, body, echoes) => {
    expect(echoesChallenge(body, 'abc123')).toBe(echoes);
  });
});

describe('WEBHOOK_ALLOW_LOOPBACK=only: webhooks never leave the machine', () => {
  const only = { allowLoopback: true, onlyLoopback: true };

  it('allows loopback literals and localhost, and refuses public addresses and every other host name before any lookup', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9000/in', only).host).toBe('127.0.0.1:9000');
    expect(checkWebhookUrl('http://localhost:9000/in', only).hostname).toBe('localhost');
    expect(() => checkWebhookUrl('https://93.184.216.34/', only)).toThrow(WebhookPolicyError);
    expect(() => checkWebhookUrl('https://hooks.example.com/', only)).toThrow(/loopback address or localhost/);
    expect(refusedAddress('93.184.216.34', only)).toMatch(/other than loopback/);
    expect(refusedAddress('::1', only)).toBeUndefined();
  });

  it('is read from the configuration, with the failure threshold', () => {
    expect(loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'only' }).notifications.webhook).toMatchObject({ allowLoopback: true, onlyLoopback: true, maxConsecutiveFailures: 10 });
    expect(loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'on', WEBHOOK_MAX_CONSECUTIVE_FAILURES: '3' }).notifications.webhook).toMatchObject({ allowLoopback: true, onlyLoopback: false, maxConsecutiveFailures: 3 });
    expect(() => loadConfig({ WEBHOOK_MAX_CONSECUTIVE_FAILURES: '0' })).toThrow(/WEBHOOK_MAX_CONSECUTIVE_FAILURES/);
    expect(() => loadConfig({ WEBHOOK_ALLOW_LOOPBACK: 'sometimes' })).toThrow('WEBHOOK_ALLOW_LOOPBACK must be on, off or only, got "sometimes"');
  });
});

describe('the signed sender the subscriptions share with the notification channel', () => {
  let server: Server;
  let url: string;
  const seen: { headers: Record<string, string>; body: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers as Record<string, string>, body });
        const { data } = JSON.parse(body) as { data: { challenge?: string } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ challenge: data.challenge }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signs with the given secret, verifiable by a Standard Webhooks library, and reads the echo when asked', async () => {
    const secret = newWebhookSecret();
    const sender = webhookSender({ policy: { allowLoopback: true }, timeoutMs: 2000 });
    const body = webhookBody(VERIFICATION_TYPE, new Date(), { challenge: 'xyz' });
    const answer = await sender.post({ url, id: 'msg_1', body, secret: webhookSecretBytes(secret)!, readBodyBytes: 4096 });
    await sender.close();
    expect(answer.status).toBe(200);
    expect(echoesChallenge(answer.body, 'xyz')).toBe(true);
    const received = seen.at(-1)!;
    expect(new Webhook(secret).verify(received.body, received.headers)).toMatchObject({ type: VERIFICATION_TYPE, data: { challenge: 'xyz' } });
    expect(received.headers['webhook-id']).toBe('msg_1');
  });
});
