import type { LookupAddress } from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { webhookChannel } from '../../services/notifications/channels';
import { signWebhook } from '../../services/notifications/signing';
import { checkWebhookUrl, guardedLookup, refusedAddress, WebhookPolicyError, type Resolver } from '../../services/notifications/webhook-policy';
import { webhookSecretBytes } from '../../lib/config';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };

describe('webhook URL policy: addresses', () => {
  it.each([
    ['loopback', '127.0.0.1'],
    ['loopback', '127.255.0.9'],
    ['loopback', '::1'],
    ['private', '10.0.0.1'],
    ['private', '172.16.5.4'],
    ['private', '192.168.1.10'],
    ['uniqueLocal', 'fd12:3456::1'],
    ['linkLocal', '169.254.1.1'],
    ['linkLocal', 'fe80::1'],
    ['cloud metadata', '169.254.169.254'],
    ['cloud metadata', 'fd00:ec2::254'],
    ['cloud metadata', '100.100.100.200'],
    ['cloud metadata', '192.0.0.192'],
    ['unspecified', '0.0.0.0'],
    ['unspecified', '::'],
    ['carrierGradeNat', '100.64.0.1'],
    ['multicast', '224.0.0.1'],
    ['broadcast', '255.255.255.255'],
    ['loopback (IPv4-mapped)', '::ffff:127.0.0.1'],
    ['private (IPv4-mapped)', '::ffff:10.0.0.1'],
    ['rfc6052 (NAT64 of loopback)', '64:ff9b::7f00:1'],
    ['6to4', '2002:7f00:1::'],
  ])('refuses %s %s', (_, address) => {
    expect(refusedAddress(address, strict)).toEqual(expect.any(String));
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111'])('lets the public address %s through', (address) => {
    expect(refusedAddress(address, strict)).toBeUndefined();
  });

  it('lets loopback through only when allowed; private and metadata stay refused', () => {
    expect(refusedAddress('127.0.0.1', local)).toBeUndefined();
    expect(refusedAddress('::1', local)).toBeUndefined();
    expect(refusedAddress('10.0.0.1', local)).toMatch(/private/);
    expect(refusedAddress('169.254.169.254', local)).toMatch(/metadata/);
  });
});

describe('webhook URL policy: URLs', () => {
  const refused = (url: string, policy = strict) => () => checkWebhookUrl(url, policy);

  it('takes a public https URL', () => {
    expect(checkWebhookUrl('https://hooks.example.com/petstore?token=abc', strict).host).toBe('hooks.example.com');
  });

  it('refuses other schemes, plain http to anything but loopback, and credentials', () => {
    expect(refused('ftp://hooks.example.com/')).toThrow(/https/);
    expect(refused('file:///etc/passwd')).toThrow(/https/);
    expect(refused('http://hooks.example.com/')).toThrow(/https/);
    expect(refused('http://hooks.example.com/', local)).toThrow(/https/);
    expect(refused('https://user:secret@hooks.example.com/')).toThrow(/credentials/);
    expect(refused('https://user@hooks.example.com/')).toThrow(/credentials/);
    expect(refused('not a url')).toThrow(WebhookPolicyError);
  });

  it.each([
    'https://127.0.0.1/',
    'https://2130706433/', // decimal
    'https://0x7f000001/', // hex
    'https://0x7f.1/', // shortened hex
    'https://017700000001/', // octal
    'https://127.1/',
    'https://[::1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://10.1.2.3/',
    'https://0xa.1.2.3/',
    'https://167772161/', // 10.0.0.1
    'https://192.168.0.1:8443/',
    'https://169.254.169.254/latest/meta-data/',
    'https://[fe80::1]/',
    'https://[fd00:ec2::254]/',
    'https://0.0.0.0/',
  ])('refuses the literal address in %s', (url) => {
    expect(refused(url)).toThrow(WebhookPolicyError);
  });

  it('allows http and https to loopback only with allowLoopback, in every spelling', () => {
    expect(checkWebhookUrl('http://127.0.0.1:8080/hook', local).port).toBe('8080');
    expect(checkWebhookUrl('http://2130706433:8080/hook', local).hostname).toBe('127.0.0.1');
    expect(checkWebhookUrl('http://localhost:8080/hook', local).hostname).toBe('localhost');
    expect(checkWebhookUrl('http://[::1]:8080/hook', local).hostname).toBe('[::1]');
    expect(refused('http://2130706433:8080/hook')).toThrow(WebhookPolicyError);
    expect(refused('http://10.0.0.1/', local)).toThrow(/private/);
  });
});

describe('webhook URL policy: resolve, then connect to what was checked', () => {
  const answers = (addresses: LookupAddress[]): Resolver => async () => addresses;
  const lookup = (policy: { allowLoopback: boolean }, resolver: Resolver, onlyLoopback = false) =>
    new Promise<{ error: Error | null; result: unknown }>((resolve) =>
      guardedLookup(policy, { resolver, onlyLoopback })('hooks.example.com', { all: true }, (error, result) => resolve({ error, result })),
    );

  it('passes the resolved public addresses on to the socket', async () => {
    const addresses = [{ address: '93.184.216.34', family: 4 }];
    expect(await lookup(strict, answers(addresses))).toEqual({ error: null, result: addresses });
  });

  it('refuses a name that resolves to loopback, private, link-local or metadata addresses', async () => {
    for (const address of ['127.0.0.1', '10.0.0.7', '169.254.169.254', 'fe80::1', '::ffff:192.168.0.1']) {
      const { error } = await lookup(strict, answers([{ address, family: address.includes(':') ? 6 : 4 }]));
      expect(error).toBeInstanceOf(WebhookPolicyError);
    }
  });

  it('refuses a name with one public and one private answer (DNS rebinding)', async () => {
    const { error } = await lookup(strict, answers([{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.1', family: 4 }]));
    expect(error?.message).toMatch(/private/);
  });

  it('plain http: a name must resolve to loopback only', async () => {
    expect((await lookup(local, answers([{ address: '127.0.0.1', family: 4 }]), true)).error).toBeNull();
    expect((await lookup(local, answers([{ address: '93.184.216.34', family: 4 }]), true)).error).toBeInstanceOf(WebhookPolicyError);
  });

  it('the single-address form (options.all unset) hands back the checked address', async () => {
    const result = await new Promise((resolve) =>
      guardedLookup(strict, { resolver: answers([{ address: '93.184.216.34', family: 4 }]) })('hooks.example.com', {}, (error, address, family) => resolve({ error, address, family })),
    );
    expect(result).toEqual({ error: null, address: '93.184.216.34', family: 4 });
  });
});

describe('Standard Webhooks signature', () => {
  const secret = `whsec_${Buffer.from('a-test-secret-of-thirty-two-byte').toString('base64')}`;

  it('is what the standardwebhooks library verifies', () => {
    const body = JSON.stringify({ type: 'notification.order-confirmed', data: { orderId: 'x' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = signWebhook(webhookSecretBytes(secret)!, 'msg_1', timestamp, body);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, { ...headers })).toThrow();
  });

  it('matches the specification\'s example', () => {
    // From the Standard Webhooks specification's test vectors.
    const headers = signWebhook(webhookSecretBytes('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')!, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});

describe('webhook channel against a local receiver', () => {
  let server: Server;
  let base: string;
  let answer: (res: import('node:http').ServerResponse) => void;
  const received: { headers: Record<string, unknown>; body: string }[] = [];
  const secret = Buffer.from('another-test-secret-thirty-two-b');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const delivery = { id: 'n-1', userId: 'u', orderId: null, kind: 'order-confirmed', body: 'hi', eventId: 'e-1', details: {} };

  it('signs the delivery, and refuses to follow a redirect', async () => {
    const channel = webhookChannel({ policy: local, secret, timeoutMs: 2000 });
    try {
      answer = (res) => res.writeHead(204).end();
      await channel.deliver(delivery, { webhookUrl: `${base}/hook?token=s3cret` });
      const { headers, body } = received.at(-1)!;
      expect(new Webhook(`whsec_${secret.toString('base64')}`).verify(body, headers as Record<string, string>)).toMatchObject({ type: 'notification.order-confirmed' });

      answer = (res) => res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
      await expect(channel.deliver(delivery, { webhookUrl: `${base}/hook` })).rejects.toThrow(/redirect/);

      answer = (res) => res.writeHead(500).end();
      const failed = channel.deliver(delivery, { webhookUrl: `${base}/hook?token=s3cret` });
      await expect(failed).rejects.toThrow('the webhook endpoint answered 500');
      await expect(failed).rejects.not.toThrow(/s3cret/);
    } finally {
      await channel.close();
    }
  });

  it('says why a connection failed without naming the URL', async () => {
    const channel = webhookChannel({ policy: local, secret, timeoutMs: 2000 });
    try {
      const dead = await new Promise<number>((resolve) => {
        const probe = createServer();
        probe.listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      await expect(channel.deliver(delivery, { webhookUrl: `http://127.0.0.1:${dead}/hook?token=s3cret` })).rejects.toThrow('could not reach the webhook endpoint (ECONNREFUSED)');
      // Without allowLoopback the same URL never gets a connection at all.
      const strictChannel = webhookChannel({ policy: strict, secret, timeoutMs: 2000 });
      await expect(strictChannel.deliver(delivery, { webhookUrl: `${base}/hook` })).rejects.toThrow(WebhookPolicyError);
      await strictChannel.close();
    } finally {
      await channel.close();
    }
  });
});
