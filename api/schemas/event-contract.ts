import { Type } from 'typebox';

/** GET /asyncapi.json: the AsyncAPI 3 document of the Kafka topics. */
export const AsyncApiDocumentSchema = Type.Object(
  {
    asyncapi: Type.String({ description: 'AsyncAPI version of the document' }),
    info: Type.Unknown({ description: 'Title, version and description' }),
    defaultContentType: Type.String(),
    channels: Type.Unknown({ description: 'The event topics and the dead-letter topics, by id' }),
    operations: Type.Unknown({ description: 'Who publishes and who consumes each topic' }),
    components: Type.Unknown({ description: 'Every version of every event message, with its headers and data schema' }),
  },
  { $id: 'AsyncApiDocument', additionalProperties: true, description: 'The AsyncAPI 3 document of the Kafka topics (see asyncapi.com)' },
);

/** GET /schemas/events/{type}/{file}: one version's JSON Schema. */
export const EventSchemaDocumentSchema = Type.Object(
  {
    $schema: Type.String({ description: 'The JSON Schema dialect' }),
    title: Type.String({ description: 'The event type and version, e.g. OrderPlaced v1' }),
    description: Type.String(),
    type: Type.Literal('object'),
  },
  { $id: 'EventSchemaDocument', additionalProperties: true, description: "A JSON Schema (2020-12) of one version of an event's data: what its ce_dataschema header points at" },
);

export const EventSchemaParamsSchema = Type.Object({
  type: Type.String({ pattern: '^[A-Za-z]{1,64}$', description: 'The event type, e.g. OrderPlaced' }),
  file: Type.String({ pattern: '^v[1-9][0-9]{0,5}\\.json$', description: 'The version, as v<n>.json' }),
});
