// The HTTP server's own limits, on a real listening socket (inject has no socket to hold): a body
// dribbled a byte at a time is cut off within the request timeout, whether or not it carries a token.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { httpServerOptions } from '../../api/http-limits';
import { loadConfig } from '../../lib/config';
import { bearer, build, TEST_SECRET } from './harness';

const REQUEST_TIMEOUT_MS = 3000;
const config = loadConfig({ JWT_SECRET: TEST_SECRET, HTTP_REQUEST_TIMEOUT: `${REQUEST_TIMEOUT_MS}ms`, HTTP_HEADERS_TIMEOUT: '2s' });

/** Sends a POST declaring 60000 bytes, then one byte a second; resolves with when the server closed the socket and what it said. */
function dribble(port: number, headers: Record<string, string>): Promise<{ closedAfterMs: number; answer: string }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      const lines = ['POST /orders HTTP/1.1', 'host: 127.0.0.1', 'content-type: application/json', 'content-length: 60000', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
      socket.write(`${lines.join('\r\n')}\r\n\r\n{`);
      timer = setInterval(() => socket.write(' '), 1000);
    });
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - started, answer });
    });
    // The test's own bound: far past the timeout, so a socket left open fails the assertion below rather than hanging.
    setTimeout(() => socket.destroy(), 20_000).unref();
  });
}

describe('HTTP limits on a listening server', () => {
  it('reads every timeout from configuration, with safe defaults', () => {
    expect(httpServerOptions(loadConfig({ JWT_SECRET: TEST_SECRET }))).toEqual({
      requestTimeout: 30_000,
      connectionTimeout: 60_000,
      keepAliveTimeout: 65_000,
      maxRequestsPerSocket: 1000,
      http: { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 1000 },
    });
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT: '0' })).toThrow(/HTTP_REQUEST_TIMEOUT must be at least 1s/);
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT: '5s', HTTP_HEADERS_TIMEOUT: '10s' })).toThrow(/HTTP_HEADERS_TIMEOUT cannot be longer/);
  });

  it.each([
    ['with a customer token', bearer('alice')],
    ['without a token', {}],
  ])('cuts off a body dribbled a byte a second within the request timeout, %s', async (_label, headers) => {
    const { app } = await build({ config });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const { port } = app.server.address() as AddressInfo;
      const { closedAfterMs, answer } = await dribble(port, headers);
      // Node checks the deadline every 300 ms here (a tenth of the shortest timeout); a second of slack for a busy machine.
      expect(closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(closedAfterMs).toBeLessThan(REQUEST_TIMEOUT_MS + 1500);
      expect(answer).toMatch(headers.authorization ? /^HTTP\/1\.1 408/ : /^HTTP\/1\.1 401/);
    } finally {
      await app.close();
    }
  }, 30_000);
});
