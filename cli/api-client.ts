import type { Command } from 'commander';
import { loadConfig } from '../lib/config';
import { CliError, EXIT, type ExitCode } from './errors';

/** The REST API as the CLI sees it: one call, JSON in and out, failures as CliErrors with the right exit code. */
export interface ApiClient {
  readonly baseUrl: string;
  request<T>(method: string, path: string, options?: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> }): Promise<T>;
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

const HOW_TO_GET_A_TOKEN = 'set PETSTORE_TOKEN or pass --token; get one with `petstore auth token --role support` (or --role admin, or --role customer --user <id>)';

/** Talks to the API at baseUrl with a bearer token; `fetchImpl` lets tests fake the server. */
export function createApiClient({ baseUrl, token, fetchImpl = fetch }: { baseUrl: string; token?: string; fetchImpl?: typeof fetch }): ApiClient {
  return {
    baseUrl,
    async request<T>(method: string, path: string, { body, query, headers = {} }: { body?: unknown; query?: Record<string, string | number | undefined>; headers?: Record<string, string> } = {}) {
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
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (response.ok) return parsed as T;
      const problem = (parsed ?? {}) as { detail?: string; title?: string; errors?: { path: string; message: string }[] };
      const detail = [problem.detail ?? problem.title ?? response.statusText, ...(problem.errors ?? []).map((e) => `${e.path} ${e.message}`)].join('; ');
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
