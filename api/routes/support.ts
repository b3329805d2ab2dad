import type { FastifyRequest } from 'fastify';
import { ROLE } from '../../lib/auth';
import type { Principal } from '../plugins/auth';

/** Access of the support routes: support, and admin (who passes wherever support does). */
export const supportOnly = { roles: [ROLE.support] } as const;

/** Who the audit names for a caller: the token's subject, or its role when the token names no user. */
export const actorOf = (principal: Principal): string => principal.userId ?? principal.role;

/**
 * A preValidation hook for routes whose JSON body is optional: no body at all validates as `{}`.
 * Fastify validates a missing body as `undefined` against the object schema and refuses it, which would
 * break clients that POST these routes without a body (cancel took none before it took a reason).
 * A body that is there must be the object: a JSON `null` is a 400 like any other wrong type.
 */
export async function missingBodyAsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
