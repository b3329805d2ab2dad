import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Parser } from '@asyncapi/parser';
import { eventSchemaPath } from '../../domain/event-versions';
import { EVENT_CATALOGUE } from '../../domain/events';
import { allEventSchemaDocuments, asyncApiDocument, EVENT_SCHEMAS_DIR, schemaFileText } from '../../kafka/event-contract';
import { kafkaNames } from '../../kafka/topics';

const options = { namespace: 'staging', schemaBaseUrl: 'https://api.example.test', partitions: 6, retentionMs: -1, dlqRetentionMs: 2_592_000_000 };

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));

describe('the event contract', () => {
  it('the AsyncAPI document is valid for the AsyncAPI parser, with no error or warning', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(asyncApiDocument(options)));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    const names = kafkaNames('staging');
    expect(document!.channels().all().map((c) => c.address()).sort()).toEqual([...names.allTopics].sort());
    const orders = document!.channels().get('orders')!;
    expect(orders.messages().all().map((m) => m.id()).sort()).toEqual(
      [...Object.keys(EVENT_CATALOGUE).filter((t) => EVENT_CATALOGUE[t as keyof typeof EVENT_CATALOGUE].topic === 'orders').map((t) => `${t}.v1`), 'LegacyEnvelope'].sort(),
    );
    const placed = document!.messages().get('OrderPlaced.v1')!;
    expect(placed.payload()!.json()).toMatchObject({ type: 'object', required: expect.arrayContaining(['userId', 'items']) });
    expect(placed.headers()!.json()).toMatchObject({ properties: { ce_type: { const: 'com.petstore.orders.OrderPlaced.v1' }, ce_dataschema: { const: 'https://api.example.test/schemas/events/OrderPlaced/v1.json' } } });
  });

  it('has one schema document per event type and version, and the committed files are exactly them (npm run events:schemas)', () => {
    const documents = allEventSchemaDocuments();
    expect([...documents.keys()]).toEqual(expect.arrayContaining(Object.keys(EVENT_CATALOGUE).map((t) => eventSchemaPath(t as keyof typeof EVENT_CATALOGUE, 1))));
    const committed = filesUnder(join(EVENT_SCHEMAS_DIR, 'schemas', 'events')).map((file) => `/${relative(EVENT_SCHEMAS_DIR, file)}`);
    expect(committed.sort()).toEqual([...documents.keys()].sort());
    for (const [path, document] of documents) expect([path, readFileSync(join(EVENT_SCHEMAS_DIR, path), 'utf8')]).toEqual([path, schemaFileText(document)]);
  });
});
