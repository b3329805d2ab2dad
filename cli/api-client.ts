import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import type { paths } from './api-types';
import { CliError, EXIT, type ExitCode } from './errors';

/** An HTTP method the API serves somewhere. */
export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

// A path template of the document ('/pets/{id}') as the paths a request may name ('/pets/${string}').
type Concrete<P extends string> = P extends `${infer Head}{${string}}${infer Tail}` ? `${Head}${string}${Concrete<Tail>}` : P;

/**
 * The paths the OpenAPI document (cli/api-types.ts, generated from the routes) serves with a method: a
 * request to a route that was removed or renamed, or with a method it does not take, fails the typecheck.
 */
export type ApiPath<M extends ApiMethod> = M extends ApiMethod
  ? { [P in keyof paths & string]: NonNullable<paths[P][Lowercase<M> & keyof paths[P]]> extends never ? never : Concrete<P> }[keyof paths & string]
  : never;

/** The REST API as the CLI sees it: one call, JSON in and out, failures as CliErrors with the right exit code. */
export interface ApiClient {
  readonly baseUrl: string;
  request<T, M extends ApiMethod = ApiMethod>(
    method: M,
    path: ApiPath<M>,
    options?: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> },
  ): Promise<T>;
}

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

/** Talks to the API at baseUrl with a bearer token; `fetchImpl` lets tests fake the server. */
export function createApiClient({ baseUrl, token, fetchImpl = fetch }: { baseUrl: string; token?: string; fetchImpl?: typeof fetch }): ApiClient {
  return {
    baseUrl,
    async request<T>(method: ApiMethod, path: string, { body, query, headers = {} }: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> } = {}) {
      const url = new URL(`${baseUrl}${path}`);
      for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
      let response: Response;
      try {
        response = await fetchImpl(url, {
          method,
          headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
      } catch (error) {
        throw new CliError(`cannot reach the petstore API at ${baseUrl} (${(error as Error).cause ?? (error as Error).message}): is it running (npm start)? Set PETSTORE_API_URL or --api-url to point elsewhere.`);
      }
      const text = await response.text();
      const parsed = parseJson(text);
      if (response.ok) {
        if (parsed.ok) return parsed.value as T;
        throw new ApiError(`${method} ${path} answered ${response.status} with a body that is not JSON (${describeBody(response, text)})`, response.status);
      }
      const problem = (parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {}) as { detail?: string; title?: string; errors?: { path: string; message: string }[] };
      // Not JSON (an HTML page from a proxy or load balancer, a 502 or 504): say so, with the status, instead of a SyntaxError.
      const fallback = parsed.ok ? response.statusText : `${response.statusText || 'error'}, not from the petstore API? (${describeBody(response, text)})`;
      const detail = [problem.detail ?? problem.title ?? fallback, ...(problem.errors ?? []).map((e) => `${e.path} ${e.message}`)].join('; ');
      if (response.status === 401) throw new ApiError(`the API refused the token (${detail}): ${HOW_TO_GET_A_TOKEN}`, 401);
      if (response.status === 403) throw new ApiError(`your token's role may not do this (${detail}): ${HOW_TO_GET_A_TOKEN}`, 403);
      if (response.status === 404) throw new ApiError(detail, 404, EXIT.notFound);
      throw new ApiError(`${method} ${path} failed with ${response.status}: ${detail}`, response.status);
    },
  };
}

/** The API client for a command, from its global options (--api-url, --token) or the environment. */
export function apiFor(command: Command): ApiClient {
  const config = loadConfig();
  const globals = command.optsWithGlobals<{ apiUrl?: string; token?: string }>();
  return createApiClient({ baseUrl: (globals.apiUrl ?? config.cli.apiUrl).replace(/\/+$/, ''), token: globals.token ?? config.cli.token });
}
