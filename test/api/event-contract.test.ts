// The event contract over HTTP: the AsyncAPI document and each event version's JSON Schema, public and cacheable.
import { Parser } from '@asyncapi/parser';
import { eventSchemaDocument } from '../../kafka/event-contract';
import { build, expectProblem, testConfig } from './harness';

describe('the event contract routes', () => {
  it('serves the AsyncAPI document to anyone, cacheable, and the AsyncAPI parser accepts it', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/asyncapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    const { document, diagnostics } = await new Parser().parse(response.body);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
    expect(document!.channels().get('payments')!.address()).toBe('payments');
    expect(document!.messages().get('PaymentRefunded.v1')!.headers()!.json()).toMatchObject({
      properties: { ce_dataschema: { const: `${testConfig.kafka.schemaBaseUrl}/schemas/events/PaymentRefunded/v1.json` } },
    });
    await app.close();
  });

  it('serves each version\'s JSON Schema at the URI its events name in ce_dataschema, and 404 for others', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/schemas/events/OrderPlaced/v1.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('public, max-age=300');
    expect(response.json()).toEqual(eventSchemaDocument('OrderPlaced', 1));
    expectProblem(await app.inject({ url: '/schemas/events/OrderPlaced/v99.json' }), 404);
    expectProblem(await app.inject({ url: '/schemas/events/PetTeleported/v1.json' }), 404);
    expectProblem(await app.inject({ url: '/schemas/events/OrderPlaced/latest.json' }), 400);
    await app.close();
  });

  it('both are in the OpenAPI document, with operationIds', async () => {
    const { app } = await build();
    const paths = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, { get: { operationId: string } }> }>().paths;
    expect(paths['/asyncapi.json']!.get.operationId).toBe('getAsyncApi');
    expect(paths['/schemas/events/{type}/{file}']!.get.operationId).toBe('getEventSchema');
    await app.close();
  });
});
