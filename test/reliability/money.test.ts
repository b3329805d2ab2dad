import { randomUUID } from 'node:crypto';
import type { PaymentView } from '../../api/ports';
import { ORDER_STATUS } from '../../domain/orders';
import { waitFor } from '../../lib/wait';
import { apiClient, tokenFor } from '../helpers/system';
import { settledAudit } from '../../bench/audit';
import { startDuplicator } from './kafka';
import { addPets, placeOrder, pool, waitTerminal } from './load';
import { outcomeOf, recordOutcome } from './outcomes';
import { useSplitSystem } from './system';

describe('money: payment idempotency and duplicate deliveries', () => {
  const running = useSplitSystem();

  /** An order waiting for its payment (tok_pending), for `userId`. */
  async function awaitingPayment(userId: string, petId: string): Promise<string> {
    const placed = await placeOrder(running.system.baseUrl, { userId, items: [{ petId, quantity: 1 }], paymentToken: 'tok_pending' });
    if (!placed.ok) throw new Error(placed.error);
    await waitFor(
      `order ${placed.orderId} to await its payment`,
      async () => (await running.db.withSchema('orders').table('orders').where({ id: placed.orderId }).first('status'))?.status === ORDER_STATUS.AWAITING_PAYMENT,
      { timeoutMs: 30_000, intervalMs: 100, hint: () => running.system.output().slice(-3000) },
    );
    return placed.orderId;
  }
  const gatewayCharges = async (orderId: string) => Number((await running.db.withSchema('gateway').table('charges').where({ order_id: orderId, outcome: 'succeeded' }).count({ n: '*' }))[0]!.n);
  const paymentsOf = async (orderId: string) => Number((await running.db.withSchema('payments').table('payments').where({ order_id: orderId }).count({ n: '*' }))[0]!.n);

  it('one Idempotency-Key, twice in sequence and 50 times in parallel: one payment, one gateway charge, identical answers; another body is a 422', async () => {
    const started = Date.now();
    const pets = await addPets(running.system.baseUrl, [5]);
    const [petId] = [...pets.keys()];
    const userId = `payer-${randomUUID()}`;
    const pay = apiClient(running.system.baseUrl, tokenFor('customer', userId));
    const payWith = (orderId: string, key: string, paymentToken = 'tok_ok') => pay<PaymentView>('POST', '/payments', { orderId, paymentToken }, { 'idempotency-key': key });

    // In sequence: the second answer replays the first.
    const first = await awaitingPayment(userId, petId!);
    const key = randomUUID();
    const a = await payWith(first, key);
    const b = await payWith(first, key);
    expect(a.status).toBe(200);
    expect(a.body.status).toBe('SUCCEEDED');
    expect(b.status).toBe(200);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(b.body).toEqual(a.body);
    expect(await gatewayCharges(first)).toBe(1);
    expect(await paymentsOf(first)).toBe(1);
    const otherBody = await payWith(first, key, 'tok_flaky');
    expect(otherBody.status).toBe(422);

    // In parallel: one request charges, the other 49 wait for it and replay its answer.
    const second = await awaitingPayment(userId, petId!);
    const parallelKey = randomUUID();
    const answers = await Promise.all(Array.from({ length: 50 }, () => payWith(second, parallelKey)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    const paid = answers.filter((r) => r.status === 200);
    expect(paid.length).toBeGreaterThan(0);
    for (const r of paid) expect(r.body).toEqual(paid[0]!.body);
    expect(paid.filter((r) => r.headers.get('idempotent-replayed') !== 'true')).toHaveLength(1);
    expect(paid[0]!.body).toMatchObject({ orderId: second, status: 'SUCCEEDED' });
    expect(await gatewayCharges(second)).toBe(1);
    expect(await paymentsOf(second)).toBe(1);
    expect((await payWith(second, parallelKey, 'tok_declined')).status).toBe(422);

    const orderIds = [first, second];
    expect(await waitTerminal(running.db, orderIds, 30_000)).toEqual([]);
    const audit = await settledAudit(running.db, orderIds, pets);
    expect(audit.problems).toEqual([]);
    expect(audit.confirmed).toBe(2);
    recordOutcome(outcomeOf('payment idempotency (2 in sequence, 50 in parallel)', [audit], Date.now() - started, `${statuses.filter((s) => s === 200).length}×200, ${statuses.filter((s) => s === 409).length}×409 in parallel; other body 422`));
  }, 120_000);

  it('every consumer gets each event 1–5 times, some copies after later events: every effect applied once', async () => {
    const started = Date.now();
    const duplicator = await startDuplicator();
    try {
      const pets = await addPets(running.system.baseUrl, [12, 12, 12]);
      const ids = [...pets.keys()];
      // Confirmed, out of stock, declined (refund path), pending then cancelled by the customer.
      const tokens = ['tok_ok', 'tok_ok', 'tok_declined', 'tok_flaky'];
      const placed = await pool(Array.from({ length: 60 }, (_, i) => i), 20, (i) =>
        placeOrder(running.system.baseUrl, { userId: `dup-${i % 20}`, items: [{ petId: ids[i % 3]!, quantity: 1 }], paymentToken: tokens[i % 4]! }),
      );
      expect(placed.filter((p) => !p.ok)).toEqual([]);
      const orderIds = placed.flatMap((p) => (p.ok ? [p.orderId] : []));
      expect(await waitTerminal(running.db, orderIds, 90_000)).toEqual([]);
      // Let the last copies land and be consumed before the books are read.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const audit = await settledAudit(running.db, orderIds, pets);
      expect(audit.problems).toEqual([]);
      expect(audit.oversells + audit.doubleCharges + audit.duplicateEffects + audit.lostEvents).toBe(0);
      const copies = [...duplicator.copies.values()].reduce((n, c) => n + c, 0);
      expect(copies).toBeGreaterThan(duplicator.originals); // 2 copies per event on average
      recordOutcome(
        outcomeOf('duplicate and reordered deliveries (1–5 each)', [audit], Date.now() - started, `${duplicator.originals} events, ${copies} extra copies; ${audit.confirmed} confirmed, ${audit.cancelled} cancelled`),
      );
    } finally {
      await duplicator.stop();
    }
  }, 240_000);
});
