import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import { isEventType } from '../../domain/events';
import { asyncApiDocument, eventSchemaDocument } from '../../kafka/event-contract';
import type { Config } from '../../lib/config';
import { NotFoundError } from '../../lib/errors';
import { jsonResponse, problemResponses } from '../schemas/common';
import { AsyncApiDocumentSchema, EventSchemaDocumentSchema, EventSchemaParamsSchema } from '../schemas/event-contract';

/** Where the AsyncAPI document is served. */
export const ASYNCAPI_PATH = '/asyncapi.json';

/** Both documents change only with a deploy: caches may keep them a while. */
const CACHE = 'public, max-age=300';

/** The event contract other teams build on: the AsyncAPI document of the topics and each event version's JSON Schema (public). */
export const eventContractRoutes: FastifyPluginAsyncTypebox<{ config: Config }> = async (app, { config }) => {
  const { kafka, namespace } = config;
  // Made once: it depends on the configuration only. The schemas' own types are JSON Schema's, not these wrappers'.
  const document = asyncApiDocument({
    namespace,
    schemaBaseUrl: kafka.schemaBaseUrl,
    partitions: kafka.topicPartitions,
    retentionMs: kafka.retentionMs,
    dlqRetentionMs: kafka.dlqRetentionMs,
  }) as Static<typeof AsyncApiDocumentSchema>;

  app.get(
    ASYNCAPI_PATH,
    {
      config: { access: 'public' },
      schema: {
        tags: ['events'],
        operationId: 'getAsyncApi',
        summary: 'The AsyncAPI 3 document of the Kafka topics: every event, every version, its headers and data schema',
        response: { 200: jsonResponse('The AsyncAPI document of this deployment\'s topics', AsyncApiDocumentSchema) },
      },
    },
    async (_request, reply) => reply.header('cache-control', CACHE).send(document),
  );

  app.get(
    '/schemas/events/:type/:file',
    {
      config: { access: 'public' },
      schema: {
        tags: ['events'],
        operationId: 'getEventSchema',
        summary: "The JSON Schema of one version of an event's data (an event's ce_dataschema header names it)",
        params: EventSchemaParamsSchema,
        response: { 200: jsonResponse('The JSON Schema of that version', EventSchemaDocumentSchema), ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const { type, file } = request.params;
      const version = Number(/^v(\d+)\.json$/.exec(file)![1]);
      const schema = isEventType(type) ? eventSchemaDocument(type, version) : undefined;
      if (!schema) throw new NotFoundError(`no event schema ${type} v${version}`);
      return reply.header('cache-control', CACHE).send(schema as Static<typeof EventSchemaDocumentSchema>);
    },
  );
};
