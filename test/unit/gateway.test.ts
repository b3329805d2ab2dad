import { createSimulatedGateway, memoryLedger, TransientGatewayError } from '../../services/payments/gateway';

const charge = (token: string, idempotencyKey = `pay-${token}:1`) => ({ idempotencyKey, token, amountCents: 1000, currency: 'EUR' });

describe('payment gateway simulator', () => {
  it('answers by test token', async () => {
    const gateway = createSimulatedGateway();
    expect(await gateway.charge(charge('tok_ok'))).toMatchObject({ outcome: 'succeeded' });
    expect(await gateway.charge(charge('tok_declined'))).toMatchObject({ outcome: 'declined' });
    expect(await gateway.charge(charge('tok_pending'))).toEqual({ outcome: 'pending' });
    expect(await gateway.charge(charge('tok_whatever'))).toMatchObject({ outcome: 'declined', message: expect.stringContaining('unknown test token') });
  });

  it('fails tok_flaky transiently twice per payment, then succeeds', async () => {
    const gateway = createSimulatedGateway();
    await expect(gateway.charge(charge('tok_flaky', 'p1:1'))).rejects.toThrow(TransientGatewayError);
    await expect(gateway.charge(charge('tok_flaky', 'p1:1'))).rejects.toThrow(TransientGatewayError);
    expect(await gateway.charge(charge('tok_flaky', 'p1:1'))).toMatchObject({ outcome: 'succeeded' });
    await expect(gateway.charge(charge('tok_flaky', 'p2:1'))).rejects.toThrow(TransientGatewayError);
  });

  it('charges once per idempotency key', async () => {
    const ledger = memoryLedger();
    const gateway = createSimulatedGateway(ledger);
    const first = await gateway.charge(charge('tok_ok', 'same:1'));
    expect(await gateway.charge(charge('tok_ok', 'same:1'))).toEqual(first);
    expect(ledger.captured()).toBe(1);
    // Another simulator on the same books (a restarted or second instance) answers from them too.
    expect(await createSimulatedGateway(ledger).charge(charge('tok_ok', 'same:1'))).toEqual(first);
    expect(ledger.captured()).toBe(1);
  });
});
