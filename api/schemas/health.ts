import { Type } from 'typebox';

/** GET /healthz: the process answers. */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') }, { $id: 'Liveness', description: 'The process answers' });

/** GET /readyz: whether each part the services depend on answers. */
export const ReadinessSchema = Type.Object({
  status: Type.Enum(['ready', 'unavailable']),
  parts: Type.Object({ postgres: Type.Boolean(), kafka: Type.Boolean(), temporal: Type.Boolean() }),
}, { $id: 'Readiness', description: 'Whether each part the services depend on answers' });
