import { randomBytes } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Knex } from 'knex';
import type { Kafka } from 'kafkajs';
import type { OrderView, PaymentView } from '../../api/ports';
import { createDb } from '../../db/knex';
import type { Pet } from '../../domain/pets';
import type { EventEnvelope } from '../../domain/events';
import { createKafka } from '../../kafka/client';
import { parseEvent } from '../../kafka/envelope';
import { ENCRYPTED_ENCODING, EncryptionCodec } from '../../lib/payload-codec';
import { temporalCodecKeys } from '../../lib/keyring';
import { isSealedPaymentToken } from '../../lib/payment-token';
import { connectTemporal } from '../../lib/temporal';
import { waitFor } from '../../lib/wait';
import { allPartitions, readPartitions } from '../../support/kafka-reader';
import { testConfig, testNames, unique } from '../helpers/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// Orders of every outcome on the real stack, then a search of everything stored for the payment tokens they
// used: the raw Temporal histories (as the service returns them, without the codec), the raw bytes of every
// topic (dead letters included), every outbox and Payment's books. None may hold a token in clear.
describe('payment tokens stay with Payment', () => {
  let system: RunningSystem;
  let db: Knex;
  let kafka: Kafka;
  let connection: Connection;
  const customer = unique('secrecy');
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  let asCustomer: ReturnType<typeof apiClient>;
  // Tokens of our own (the simulator reads tok_ok_<anything> as tok_ok), so a find can only be ours.
  const secret = () => randomBytes(9).toString('hex');
  const tokens = { ok: `tok_ok_${secret()}`, declined: `tok_declined_${secret()}`, pending: `tok_pending_${secret()}`, paid: `tok_ok_${secret()}`, outOfStock: `tok_ok_${secret()}` };
  const orderIds: string[] = [];

  beforeAll(async () => {
    // Sent outbox rows go at the relay's next prune.
    system = await startSystem({ OUTBOX_RETENTION: '0s' });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    support = apiClient(system.baseUrl, tokenFor('support'));
    asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    db = createDb(testConfig, { poolMax: 2 });
    kafka = createKafka(testConfig);
    connection = await connectTemporal(testConfig);
  }, 120_000);
  afterAll(async () => {
    await connection?.close();
    await db?.destroy();
    await system?.stop();
  });

  const addPet = async (stock: number): Promise<Pet> => (await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 5_000, stock })).body;
  const place = async (petId: string, quantity: number, paymentToken: string): Promise<string> => {
    const { status, body } = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId, quantity }], paymentToken }, { 'idempotency-key': unique('key') });
    expect(status).toBe(202);
    orderIds.push(body.orderId);
    return body.orderId;
  };
  const order = async (orderId: string) => (await support<OrderView>('GET', `/orders/${orderId}`)).body;
  const settled = (orderId: string, status: string) =>
    waitFor(`order ${orderId} ${status}`, async () => ((await order(orderId)).status === status ? order(orderId) : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      hint: () => system.output().slice(-3000),
    });

  /** Which of our tokens occur in the bytes. */
  const found = (bytes: Buffer | string): string[] => Object.values(tokens).filter((token) => Buffer.from(bytes).includes(token));

  it('places orders of every outcome, and no token is in a history, a topic, an outbox or Payment\'s tables', async () => {
    const pet = await addPet(10);
    const confirmed = await place(pet.id, 1, tokens.ok);
    const declined = await place(pet.id, 1, tokens.declined);
    const pending = await place(pet.id, 1, tokens.pending);
    const scarce = await addPet(1);
    const outOfStock = await place(scarce.id, 2, tokens.outOfStock);

    await settled(confirmed, 'CONFIRMED');
    expect((await settled(declined, 'CANCELLED')).cancelReason).toBe('PAYMENT_DECLINED');
    expect((await settled(outOfStock, 'CANCELLED')).cancelReason).toBe('OUT_OF_STOCK');
    await settled(pending, 'AWAITING_PAYMENT');
    const paid = await waitFor('the pending order to be paid', async () => {
      const { status, body } = await asCustomer<PaymentView>('POST', '/payments', { orderId: pending, paymentToken: tokens.paid }, { 'idempotency-key': unique('pay') });
      return status === 200 ? body : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(paid.status).toBe('SUCCEEDED');
    await settled(pending, 'CONFIRMED');

    // Every saga closed, so its history is whole.
    const histories = await Promise.all(
      orderIds.map(async (orderId) => {
        const execution = { workflowId: `order-${orderId}` };
        await waitFor(`saga of ${orderId} to close`, async () => {
          const { workflowExecutionInfo } = await connection.workflowService.describeWorkflowExecution({ namespace: testConfig.temporal.namespace, execution });
          return workflowExecutionInfo?.closeTime ? true : undefined;
        }, { timeoutMs: 30_000, intervalMs: 200 });
        return connection.workflowService.getWorkflowExecutionHistory({ namespace: testConfig.temporal.namespace, execution });
      }),
    );
    for (const history of histories) {
      const raw = Buffer.from(temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse.encode(history).finish());
      expect(found(raw)).toEqual([]);
      // The payloads are the codec's: the saga's input is encrypted, and decrypted it holds only a sealed token.
      const started = history.history!.events!.find((e) => e.workflowExecutionStartedEventAttributes)!.workflowExecutionStartedEventAttributes!;
      const [input] = started.input!.payloads!;
      expect(Buffer.from(input!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      const [decoded] = await new EncryptionCodec(temporalCodecKeys(testConfig)).decode([input!]);
      const sagaInput = JSON.parse(Buffer.from(decoded!.data!).toString()) as { paymentToken: string; requestHash: string };
      expect(isSealedPaymentToken(sagaInput.paymentToken)).toBe(true);
      expect(sagaInput.requestHash).toMatch(/^[0-9a-f]{64}$/);
    }

    // Every event of our orders published (nothing of theirs waits in an outbox), then every topic read whole.
    await waitFor('every outbox row of the orders published', async () => {
      for (const schema of ['inventory', 'orders', 'payments', 'notifications']) {
        const [{ n }] = await db.withSchema(schema).table('outbox').whereIn('key', orderIds).whereNull('sent_at').count({ n: '*' });
        if (Number(n) > 0) return undefined;
      }
      return true;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    const admin_ = kafka.admin();
    await admin_.connect();
    const ranges = await allPartitions(admin_, testNames.allTopics).finally(() => admin_.disconnect());
    expect(new Set(ranges.map((r) => r.topic))).toEqual(new Set(testNames.allTopics));
    const records = await readPartitions(kafka, ranges, { names: testNames, timeoutMs: 60_000 });
    const ours = records.filter((r) => r.key && orderIds.includes(r.key.toString()));
    expect(ours.filter((r) => r.topic === testNames.topic('orders')).length).toBeGreaterThanOrEqual(orderIds.length);
    for (const record of records) {
      const headers = Object.entries(record.headers).map(([k, v]) => `${k}=${String(v)}`).join('\n');
      expect({ topic: record.topic, offset: record.offset, found: found(Buffer.concat([record.key ?? Buffer.alloc(0), record.value ?? Buffer.alloc(0), Buffer.from(headers)])) }).toEqual({
        topic: record.topic,
        offset: record.offset,
        found: [],
      });
    }
    // OrderPlaced carries the token sealed for Payment.
    const placed = ours
      .filter((r) => r.topic === testNames.topic('orders'))
      .map((r) => parseEvent(r.value, r.headers, r.key))
      .filter((e): e is EventEnvelope<'OrderPlaced'> => e.type === 'OrderPlaced');
    expect(placed).toHaveLength(orderIds.length);
    for (const event of placed) expect(isSealedPaymentToken(event.data.paymentToken)).toBe(true);

    // The outboxes (what is left of them), Payment's books and the processor's.
    for (const schema of ['inventory', 'orders', 'payments', 'notifications']) {
      const rows = await db.withSchema(schema).table('outbox').select(db.raw('envelope::text as envelope'), db.raw('headers::text as headers'));
      expect(found(rows.map((r: { envelope: string; headers: string }) => r.envelope + r.headers).join('\n'))).toEqual([]);
    }
    for (const [schema, table] of [['payments', 'payments'], ['payments', 'idempotency_keys'], ['orders', 'orders'], ['gateway', 'charges']] as const) {
      const rows = await db.withSchema(schema).table(table).select('*');
      expect({ table: `${schema}.${table}`, found: found(JSON.stringify(rows)) }).toEqual({ table: `${schema}.${table}`, found: [] });
    }
    const payments = await db.withSchema('payments').table('payments').whereIn('order_id', orderIds).select('payment_token');
    expect(payments).toHaveLength(orderIds.length); // OrderPlaced opens each order's payment, the out-of-stock one's too
    for (const { payment_token } of payments as { payment_token: string }[]) expect(isSealedPaymentToken(payment_token)).toBe(true);

    // Published rows do not stay: OUTBOX_RETENTION=0s prunes them at the relay's next pass.
    await waitFor('the published outbox rows of the orders pruned', async () => {
      for (const schema of ['inventory', 'orders', 'payments', 'notifications']) {
        const [{ n }] = await db.withSchema(schema).table('outbox').whereIn('key', orderIds).count({ n: '*' });
        if (Number(n) > 0) return undefined;
      }
      return true;
    }, { timeoutMs: 30_000, intervalMs: 500 });
  }, 240_000);
});
