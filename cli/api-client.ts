import type { Command } from 'commander';
import createClient, { type Client } from 'openapi-fetch';
import { loadConfig } from '../lib/config';
import type { paths } from './api-types';
import { CliError, EXIT, type ExitCode } from './errors';

/**
 * The REST API as the CLI sees it: openapi-fetch's client typed by the OpenAPI document
 * (cli/api-types.ts, generated from the routes), so a route, method, path or query parameter, request
 * body or response body the document does not have fails the typecheck. Failures never come back as
 * values: every call either answers the route's success body or throws a CliError (see `answerOf`).
 */
export type ApiClient = Client<paths, 'application/json'> & { readonly baseUrl: string };

/** The API refused a request: a CliError that also keeps the HTTP status, for commands that react to one (412, 409, ...). */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    exitCode: ExitCode = EXIT.failure,
  ) {
    super(message, exitCode);
  }
}

/** A body as JSON: an empty body is undefined, anything that does not parse is reported, not thrown. */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (!text) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

// What a body that is not JSON was, in a few words: its media type and its start, on one line.
const describeBody = (response: Response, text: string): string =>
  `${response.headers.get('content-type') ?? 'no content-type'}: ${text.replace(/\s+/g, ' ').trim().slice(0, 80)}`;

const HOW_TO_GET_A_TOKEN = 'set PETSTORE_TOKEN or pass --token; get one with `petstore auth token --role support` (or --role admin, or --role customer --user <id>)';

/** A refusal as the message a user reads, with the exit code (problem documents, or a proxy's page that is not one). */
function refusal(what: string, response: Response, text: string): ApiError {
  const parsed = parseJson(text);
  const problem = (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {}) as { detail?: string; title?: string; errors?: { path: string; message: string }[] };
  // Not JSON (an HTML page from a proxy or load balancer, a 502 or 504): say so, with the status, instead of a SyntaxError.
  const fallback = parsed.ok ? response.statusText : `${response.statusText || 'error'}, not from the petstore API? (${describeBody(response, text)})`;
  const detail = [problem.detail ?? problem.title ?? fallback, ...(problem.errors ?? []).map((e) => `${e.path} ${e.message}`)].join('; ');
  if (response.status === 401) return new ApiError(`the API refused the token (${detail}): ${HOW_TO_GET_A_TOKEN}`, 401);
  if (response.status === 403) return new ApiError(`your token's role may not do this (${detail}): ${HOW_TO_GET_A_TOKEN}`, 403);
  if (response.status === 404) return new ApiError(detail, 404, EXIT.notFound);
  return new ApiError(`${what} failed with ${response.status}: ${detail}`, response.status);
}

/**
 * The fetch under openapi-fetch: a 30 s timeout, "cannot reach" for a server that does not answer,
 * and every answer but a JSON (or empty) success turned into an ApiError here, before openapi-fetch
 * would parse it, so a command never sees a failure as data nor a SyntaxError.
 */
function checkedFetch(baseUrl: string, fetchImpl: typeof fetch): (request: Request) => Promise<Response> {
  const basePath = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return async (request) => {
    const url = new URL(request.url);
    const what = `${request.method} ${url.pathname.slice(basePath.length)}`;
    let response: Response;
    try {
      response = await fetchImpl(request, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new CliError(`cannot reach the petstore API at ${baseUrl} (${(error as Error).cause ?? (error as Error).message}): is it running (npm start)? Set PETSTORE_API_URL or --api-url to point elsewhere.`);
    }
    const text = await response.text();
    if (!response.ok) throw refusal(what, response, text);
    if (!parseJson(text).ok) throw new ApiError(`${what} answered ${response.status} with a body that is not JSON (${describeBody(response, text)})`, response.status);
    return new Response(text === '' ? null : text, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** Talks to the API at baseUrl with a bearer token; `fetchImpl` lets tests fake the server. */
export function createApiClient({ baseUrl, token, fetchImpl = fetch }: { baseUrl: string; token?: string; fetchImpl?: typeof fetch }): ApiClient {
  const client = createClient<paths, 'application/json'>({ baseUrl, fetch: checkedFetch(baseUrl, fetchImpl), headers: token ? { authorization: `Bearer ${token}` } : {} });
  return Object.assign(client, { baseUrl });
}

/** The success member of openapi-fetch's answer: its `data`, typed by the route's success response. */
type SuccessData<R> = R extends { data: infer D; error?: never } ? D : never;

/**
 * The success body of a call: the client throws on every failure (checkedFetch), so the answer that
 * reaches here is the route's success, typed by the document (undefined for a 204).
 */
export async function answerOf<R extends { data?: unknown; error?: unknown; response: Response }>(call: Promise<R>): Promise<SuccessData<R>> {
  const answer = await call;
  if (answer.error !== undefined || !answer.response.ok) throw new ApiError(`the API answered ${answer.response.status}`, answer.response.status);
  return answer.data as SuccessData<R>;
}

/** The API client for a command, from its global options (--api-url, --token) or the environment. */
export function apiFor(command: Command): ApiClient {
  const config = loadConfig();
  const globals = command.optsWithGlobals<{ apiUrl?: string; token?: string }>();
  return createApiClient({ baseUrl: (globals.apiUrl ?? config.cli.apiUrl).replace(/\/+$/, ''), token: globals.token ?? config.cli.token });
}
