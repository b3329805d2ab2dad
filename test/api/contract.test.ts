// The OpenAPI document as a contract other teams generate clients from: named models, an operationId on
// every operation, real descriptions, and the committed client types (cli/api-types.ts) in step with it.
import { API_TYPES_COMMAND, API_TYPES_FILE, apiTypes, publicContract } from '../../api/contract';
import { CURSOR_PATTERN } from '../../api/schemas/common';
import { build } from './harness';

type Schema = Record<string, unknown>;
type Operation = { operationId?: string; tags?: string[]; description?: string; parameters?: { name: string; schema: Schema }[]; responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }> };
type Document = {
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};

async function servedDocument(): Promise<Document> {
  const { app } = await build();
  const doc = (await app.inject({ url: '/openapi.json' })).json<Document>();
  await app.close();
  return doc;
}

const operationsOf = (doc: Document) => Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

describe('the OpenAPI document as a contract', () => {
  let doc: Document;
  beforeAll(async () => {
    // The contract is the public document: the internal routes are petstore's own.
    doc = publicContract(await servedDocument());
  });

  it('gives every operation a unique operationId, a tag the document describes, and a description', () => {
    const operations = operationsOf(doc);
    const ids = operations.map(({ op }) => op.operationId);
    expect(ids.filter((id) => !id)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    const described = new Set((doc.tags ?? []).filter((t) => t.description).map((t) => t.name));
    for (const { route, op } of operations) {
      expect({ route, tags: op.tags?.filter((t) => !described.has(t)) }).toEqual({ route, tags: [] });
      expect({ route, description: Boolean(op.description) }).toEqual({ route, description: true });
    }
  });

  it('names every model and the problem document as components, and refers to them by $ref', () => {
    const names = Object.keys(doc.components.schemas);
    for (const model of ['Pet', 'PetInput', 'PetPage', 'Order', 'OrderPage', 'OrderAccepted', 'PlaceOrderRequest', 'Payment', 'PaymentPage', 'Notification', 'NotificationPage', 'AuditList', 'Problem']) {
      expect(names).toContain(model);
    }
    expect(names.filter((name) => name.startsWith('def-'))).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain('"$id"');
    expect(doc.paths['/pets/{id}']!.get!.responses['200']!.content!['application/json']!.schema).toEqual({ $ref: '#/components/schemas/Pet' });
    expect(doc.paths['/pets/{id}']!.get!.responses['404']!.content!['application/problem+json']!.schema).toEqual({ $ref: '#/components/schemas/Problem' });
  });

  it('describes every response in words (no "Default Response") and has a server', () => {
    for (const { route, op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries(op.responses)) expect({ route, status, description: response.description }).not.toEqual({ route, status, description: 'Default Response' });
    }
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('describes the cursor by the pattern the server parses, and lists the business refusals', () => {
    for (const route of ['/pets', '/orders', '/orders/user/{userId}', '/notifications']) {
      const cursor = doc.paths[route]!.get!.parameters!.find((p) => p.name === 'cursor');
      expect(cursor?.schema).toMatchObject({ pattern: CURSOR_PATTERN });
    }
    // The per-customer hold cap and a reused Idempotency-Key are 422s of POST /orders.
    expect(doc.paths['/orders']!.post!.responses['422']!.description).toMatch(/hold/);
  });
});

describe(`the committed client types (${API_TYPES_FILE})`, () => {
  it(`are what the current routes generate (after a route change, run ${API_TYPES_COMMAND})`, async () => {
    const { generated, committed } = await apiTypes();
    if (generated !== committed) throw new Error(`cli/api-types.ts is out of date with the routes: run \`${API_TYPES_COMMAND}\` and commit the result`);
  });

  it('leave out the internal routes', () => {
    expect(Object.keys(publicContract({ paths: { '/pets': {}, '/internal/notifications': {} } }).paths)).toEqual(['/pets']);
  });
});
