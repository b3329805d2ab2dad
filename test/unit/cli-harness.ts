import type { PaymentView } from '../../api/ports';
// Runs one command group the way program.ts wires it (global --api-url/--token, exitOverride, output
// through the Io, one error handler) against a fake REST API reached through the real API client.
import type { Command } from 'commander';
import { createApiClient } from '../../cli/api-client';
import type { CommandDeps, ProgressStream } from '../../cli/deps';
import type { Io } from '../../cli/output';
import { runInProcess } from '../helpers/cli-in-process';

/** A request as the fake API saw it. */
export interface SeenRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: unknown;
}

/** What a fake route answers: a status (200 by default) and a JSON body. */
export interface FakeAnswer {
  status?: number;
  body?: unknown;
}

/** Routes by `METHOD /path/:param`. */
export type Routes = Record<string, (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>>;

/** A problem+json answer, as the API gives for errors. */
export const problem = (status: number, detail: string): FakeAnswer => ({ status, body: { type: 'about:blank', title: 'Error', status, detail, instance: '/' } });

/** A fake petstore API: unmatched routes answer 404; every request is recorded. */
export function fakeApi(routes: Routes) {
  const requests: SeenRequest[] = [];
  const compiled = Object.entries(routes).map(([key, handler]) => {
    const [method, pattern] = key.split(' ') as [string, string];
    const names: string[] = [];
    const regex = new RegExp(`^${pattern.replace(/:([A-Za-z]+)/g, (_m, name: string) => (names.push(name), '([^/]+)'))}$`);
    return { method, regex, names, handler };
  });
  // The client (openapi-fetch) hands fetch a Request.
  const fetchImpl = (async (input: Request) => {
    const url = new URL(input.url);
    const method = input.method;
    const text = await input.text();
    const request: SeenRequest = {
      method,
      path: url.pathname,
      params: {},
      query: Object.fromEntries(url.searchParams),
      headers: Object.fromEntries(input.headers),
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(request);
    let answer: FakeAnswer = problem(404, `nothing at ${method} ${url.pathname}`);
    for (const route of compiled) {
      const match = route.method === method ? route.regex.exec(url.pathname) : null;
      if (!match) continue;
      route.names.forEach((name, i) => (request.params[name] = decodeURIComponent(match[i + 1]!)));
      answer = await route.handler(request);
      break;
    }
    const status = answer.status ?? 200;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  }) as typeof fetch;
  return {
    requests,
    /** The requests other than reads. */
    writes: () => requests.filter((r) => r.method !== 'GET'),
    api: () => createApiClient({ baseUrl: 'http://petstore.test', token: 'test-token', fetchImpl }),
  };
}

/** A fixed clock: 2025-03-01T12:00:00Z. */
export const NOW = new Date('2025-03-01T12:00:00.000Z');

/** Test doubles for everything but the API. */
export function fakeDeps(api: ReturnType<typeof fakeApi>, overrides: Partial<CommandDeps> = {}): Partial<CommandDeps> & { drawn: string[] } {
  const drawn: string[] = [];
  const progressStream: ProgressStream = { write: (text: string) => drawn.push(text), columns: 100 };
  return {
    api: api.api,
    sleep: async () => undefined,
    now: () => NOW,
    confirm: async () => false,
    readFile: async (path: string) => {
      throw new Error(`no file ${path} in this test`);
    },
    newIdempotencyKey: () => 'fresh-key',
    progressStream,
    drawn,
    ...overrides,
  };
}

/** Runs `petstore <args>` with only the given command group; the exit code is the one index.ts would set. */
export const runGroup = (group: (io: Io) => Command, args: string[], options: { interactive?: boolean } = {}) => runInProcess((io) => [group(io)], args, options);

/** Strips ANSI colours, so assertions read the text. */
// eslint-disable-next-line no-control-regex
export const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** A payment as the API shows it, for fake answers. */
export const paymentView = (overrides: Partial<PaymentView> = {}): PaymentView => ({
  id: 'pay-1',
  orderId: 'o-1',
  userId: 'alice',
  amountCents: 90000,
  refundedCents: 0,
  currency: 'EUR',
  status: 'SUCCEEDED',
  failureReason: null,
  createdAt: '2025-03-01T11:56:00.000Z',
  ...overrides,
});
