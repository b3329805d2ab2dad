import { ApiError } from './api-client';

/** The HTTP status of a failed API call; undefined for anything else, such as an unreachable server. */
export function apiStatusOf(error: unknown): number | undefined {
  return error instanceof ApiError ? error.status : undefined;
}
