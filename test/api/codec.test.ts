import { defaultPayloadConverter } from '@temporalio/common';
import { CODEC_COOKIE } from '../../api/routes/codec';
import { temporalPayloadCodec } from '../../lib/temporal';
import { bearer, build, expectProblem, testConfig, tokenFor } from './harness';

// The codec server as the Temporal UI calls it: CORS from the UI's origin, staff only, by bearer token or cookie.
const UI = 'http://temporal.test:8233';
const wire = (payload: { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }) => ({
  metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

describe('the codec server', () => {
  it('decodes what the workers encoded, and passes a plain payload through', async () => {
    const { app } = await build();
    const plain = defaultPayloadConverter.toPayload({ orderId: 'o-1' });
    const [encrypted] = await temporalPayloadCodec(testConfig).encode([plain]);
    const response = await app.inject({ method: 'POST', url: '/codec/decode', headers: { ...bearer('support'), origin: UI, 'x-namespace': 'shop' }, payload: { payloads: [wire(encrypted!), wire(plain)] } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(UI);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    const [decoded, passed] = response.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    expect(JSON.parse(Buffer.from(decoded!.data, 'base64').toString())).toEqual({ orderId: 'o-1' });
    expect(passed).toEqual(wire(plain));
    await app.close();
  });

  it('encodes as the workers do', async () => {
    const { app } = await build();
    const plain = defaultPayloadConverter.toPayload('hello');
    const response = await app.inject({ method: 'POST', url: '/codec/encode', headers: bearer('admin'), payload: { payloads: [wire(plain)] } });
    const [encoded] = response.json<{ payloads: { metadata: Record<string, string>; data: string }[] }>().payloads;
    expect(Buffer.from(encoded!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    const [back] = await temporalPayloadCodec(testConfig).decode([{ metadata: { encoding: Buffer.from(encoded!.metadata.encoding!, 'base64'), 'encryption-key-id': Buffer.from(encoded!.metadata['encryption-key-id']!, 'base64') }, data: Buffer.from(encoded!.data, 'base64') }]);
    expect(defaultPayloadConverter.fromPayload(back!)).toBe('hello');
    await app.close();
  });

  it('answers the preflight of the UI origin only, and refuses customers and strangers with the CORS headers on', async () => {
    const { app } = await build();
    const preflight = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: UI, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-namespace' } });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(UI);
    expect(String(preflight.headers['access-control-allow-headers'])).toContain('authorization');
    const elsewhere = await app.inject({ method: 'OPTIONS', url: '/codec/decode', headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' } });
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    const anonymous = await app.inject({ method: 'POST', url: '/codec/decode', headers: { origin: UI }, payload: { payloads: [] } });
    expectProblem(anonymous, 401);
    expect(anonymous.headers['access-control-allow-origin']).toBe(UI);
    expectProblem(await app.inject({ method: 'POST', url: '/codec/decode', headers: bearer('alice'), payload: { payloads: [] } }), 403);
    await app.close();
  });

  it('takes a staff token from the cookie /codec/session sets, checked as a bearer token', async () => {
    const { app } = await build();
    const page = await app.inject({ method: 'GET', url: '/codec/session' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form method="post" action="/codec/session">');
    const signIn = await app.inject({ method: 'POST', url: '/codec/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${tokenFor('support')}` });
    expect(signIn.statusCode).toBe(200);
    const cookie = String(signIn.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^${CODEC_COOKIE}=[^;]+; Path=/codec; HttpOnly; Max-Age=\\d+; SameSite=Strict$`));
    const value = cookie.split(';', 1)[0]!;
    const decoded = await app.inject({ method: 'POST', url: '/codec/decode', headers: { cookie: value, origin: UI }, payload: { payloads: [] } });
    expect(decoded.statusCode).toBe(200);
    const customer = await app.inject({ method: 'POST', url: '/codec/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${tokenFor('alice')}` });
    expectProblem(await app.inject({ method: 'POST', url: '/codec/decode', headers: { cookie: String(customer.headers['set-cookie']).split(';', 1)[0]! }, payload: { payloads: [] } }), 403);
    await app.close();
  });

  it('answers 422, not 500, for a payload under a key it does not have', async () => {
    const { app } = await build();
    const payload = { metadata: { encoding: Buffer.from('binary/encrypted').toString('base64'), 'encryption-key-id': Buffer.from('someone-else').toString('base64') }, data: Buffer.alloc(40).toString('base64') };
    expectProblem(await app.inject({ method: 'POST', url: '/codec/decode', headers: bearer('support'), payload: { payloads: [payload] } }), 422);
    await app.close();
  });
});
