// Whether a failure is the infrastructure's (a dependency is down or restarting) rather than the
// message's: the first kind is waited out, never counted towards dead-lettering.

/** Postgres SQLSTATEs that mean "the server, not the statement": connection exceptions, shutdown, overload. */
const PG_TRANSIENT_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const PG_CONNECTION_CLASS = '08';
/** Node's socket errors. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** gRPC status codes (Temporal) for a frontend that is away or overloaded: UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED. */
const GRPC_TRANSIENT = new Set([14, 4, 8]);
/** What node-postgres and knex say when a connection dies or the pool cannot get one. */
const MESSAGES = [/Connection terminated/i, /not queryable/i, /Knex: Timeout acquiring a connection/i, /the database system is (starting up|shutting down)/i];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function transientOne(error: ErrorLike): boolean {
  const { code, name, message } = error;
  if (typeof code === 'string' && (PG_TRANSIENT_STATES.has(code) || code.startsWith(PG_CONNECTION_CLASS) || NETWORK_CODES.has(code))) return true;
  if (typeof code === 'number' && GRPC_TRANSIENT.has(code) && /UNAVAILABLE|DEADLINE_EXCEEDED|RESOURCE_EXHAUSTED/.test(String(message))) return true;
  if (name === 'KnexTimeoutError') return true;
  return typeof message === 'string' && MESSAGES.some((pattern) => pattern.test(message));
}

/** True when `error`, or any error in its cause chain, says a dependency is unavailable for now. */
export function isTransient(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === 'object' && !seen.has(e); e = (e as ErrorLike).cause) {
    seen.add(e);
    if (transientOne(e as ErrorLike)) return true;
  }
  return false;
}
