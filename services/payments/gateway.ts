import { TEST_TOKENS } from '../../domain/payments';

/** What the gateway said about a charge. */
export type ChargeOutcome =
  | { outcome: 'succeeded'; reference: string }
  | { outcome: 'declined'; message: string }
  /** No answer yet (tok_pending): the payment stays pending. */
  | { outcome: 'pending' };

/** A failure worth retrying: the gateway was unreachable or busy. */
export class TransientGatewayError extends Error {
  override name = 'TransientGatewayError';
}

/** The payment gateway adapter: a real processor plugs in behind this interface. */
export interface PaymentGateway {
  /** Charges once per idempotency key: a repeated key returns the first outcome, never a second charge. */
  charge(request: { idempotencyKey: string; token: string; amountCents: number; currency: string }): Promise<ChargeOutcome>;
  /** Refunds a captured charge once per idempotency key. */
  refund(request: { idempotencyKey: string; chargeReference: string; amountCents: number; currency: string }): Promise<{ reference: string }>;
}

/**
 * The built-in simulator, driven by test tokens like a card processor's test mode:
 * tok_ok succeeds, tok_declined is declined, tok_pending never answers, tok_flaky fails
 * transiently twice per payment, then succeeds. Any other token is declined.
 */
export function createSimulatedGateway(): PaymentGateway & { chargesCaptured(): number } {
  const outcomes = new Map<string, ChargeOutcome>();
  const flakyCalls = new Map<string, number>();
  let captured = 0;
  return {
    async charge({ idempotencyKey, token }) {
      const known = outcomes.get(idempotencyKey);
      if (known) return known;
      let outcome: ChargeOutcome;
      switch (token) {
        case TEST_TOKENS.ok:
          outcome = { outcome: 'succeeded', reference: `sim_ch_${idempotencyKey}` };
          break;
        case TEST_TOKENS.declined:
          outcome = { outcome: 'declined', message: 'the card was declined' };
          break;
        case TEST_TOKENS.pending:
          return { outcome: 'pending' };
        case TEST_TOKENS.flaky: {
          const payment = idempotencyKey.split(':')[0]!;
          const calls = (flakyCalls.get(payment) ?? 0) + 1;
          flakyCalls.set(payment, calls);
          if (calls <= 2) throw new TransientGatewayError(`gateway timeout (simulated, call ${calls})`);
          outcome = { outcome: 'succeeded', reference: `sim_ch_${idempotencyKey}` };
          break;
        }
        default:
          outcome = { outcome: 'declined', message: `unknown test token "${token}"` };
      }
      if (outcome.outcome === 'succeeded') captured++;
      outcomes.set(idempotencyKey, outcome);
      return outcome;
    },
    async refund({ idempotencyKey }) {
      return { reference: `sim_re_${idempotencyKey}` };
    },
    chargesCaptured: () => captured,
  };
}
