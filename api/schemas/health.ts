import { Type } from 'typebox';

/** GET /healthz: the process answers. */
export const LivenessSchema = Type.Object({ status: Type.Literal('ok') }, { $id: 'Liveness', description: 'The process answers' });

/** GET /readyz: whether each part the services depend on answers, and whether this process has room for more work. */
export const ReadinessSchema = Type.Object({
  status: Type.Enum(['ready', 'unavailable', 'saturated']),
  parts: Type.Object({ postgres: Type.Boolean(), kafka: Type.Boolean(), temporal: Type.Boolean() }),
  load: Type.Optional(
    Type.Object(
      {
        inFlight: Type.Integer({ description: 'requests in flight in this process' }),
        maxInFlight: Type.Integer(),
        sagaInFlight: Type.Integer({ description: 'of those, requests that start or drive a saga' }),
        maxSagaInFlight: Type.Integer(),
        saturated: Type.Boolean({ description: 'true while new work is refused (503): send it to another instance' }),
      },
      { description: 'admission control of this API process' },
    ),
  ),
}, { $id: 'Readiness', description: 'Whether each part the services depend on answers, and whether this process has room for more work' });
