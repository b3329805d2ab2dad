import type { Knex } from 'knex';
import { paymentTokenKind, TEST_TOKENS } from '../../domain/payments';

/** What the gateway said about a charge. */
export type ChargeOutcome =
  | { outcome: 'succeeded'; reference: string }
  | { outcome: 'declined'; message: string }
  /** No answer yet (tok_pending): the payment stays pending. */
  | { outcome: 'pending' };

/** The processor refused a refund for good (beyond what the charge holds, an unknown charge): never worth retrying. */
export class GatewayRefusedError extends Error {
  override name = 'GatewayRefusedError';
}

/** A failure worth retrying: the gateway was unreachable or busy. */
export class TransientGatewayError extends Error {
  override name = 'TransientGatewayError';
}

/** The payment gateway adapter: a real processor plugs in behind this interface. */
export interface PaymentGateway {
  /** Charges once per idempotency key: a repeated key returns the first outcome, never a second charge. */
  charge(request: { idempotencyKey: string; orderId?: string; token: string; amountCents: number; currency: string }): Promise<ChargeOutcome>;
  /** Refunds (part of) a captured charge once per idempotency key; GatewayRefusedError beyond what the charge still holds. */
  refund(request: { idempotencyKey: string; chargeReference: string; amountCents: number; currency: string }): Promise<{ reference: string }>;
}

/** A charge as the processor's books keep it: its outcome, once per idempotency key. */
export type SettledCharge = Exclude<ChargeOutcome, { outcome: 'pending' }>;

/** Where the simulator keeps its books: the first outcome stored for a key wins. */
export interface GatewayLedger {
  /** Stores the outcome unless the key has one already; returns the stored one. */
  settle(charge: { idempotencyKey: string; orderId?: string; token: string; amountCents: number; currency: string }, outcome: SettledCharge): Promise<SettledCharge>;
  /** The outcome stored for a key, if any. */
  find(idempotencyKey: string): Promise<SettledCharge | undefined>;
  /** Records a refund once per key; returns its reference. */
  refund(refund: { idempotencyKey: string; chargeReference: string; amountCents: number; currency: string }): Promise<string>;
}

/** Books kept in memory: for unit tests and single-process use. */
export function memoryLedger(): GatewayLedger & { captured(): number } {
  const charges = new Map<string, SettledCharge>();
  const amounts = new Map<string, number>();
  const refunds = new Map<string, { chargeReference: string; amountCents: number }>();
  return {
    async settle({ idempotencyKey, amountCents }, outcome) {
      if (!charges.has(idempotencyKey)) {
        charges.set(idempotencyKey, outcome);
        if (outcome.outcome === 'succeeded') amounts.set(outcome.reference, amountCents);
      }
      return charges.get(idempotencyKey)!;
    },
    find: async (idempotencyKey) => charges.get(idempotencyKey),
    refund: async ({ idempotencyKey, chargeReference, amountCents }) => {
      if (!refunds.has(idempotencyKey)) {
        const refunded = [...refunds.values()].filter((r) => r.chargeReference === chargeReference).reduce((n, r) => n + r.amountCents, 0);
        const charged = amounts.get(chargeReference);
        if (charged !== undefined && refunded + amountCents > charged) throw new GatewayRefusedError(`refund of ${amountCents} exceeds what charge ${chargeReference} holds (${charged - refunded})`);
        refunds.set(idempotencyKey, { chargeReference, amountCents });
      }
      return `sim_re_${idempotencyKey}`;
    },
    captured: () => [...charges.values()].filter((c) => c.outcome === 'succeeded').length,
  };
}

/**
 * Books kept in Postgres (the `gateway` schema), written on their own connection and outside any
 * service's transaction, like a remote processor's: they survive our crashes and are shared by
 * every instance, so a retried charge is answered from them and never captured twice.
 */
export function postgresLedger(db: Knex): GatewayLedger {
  const charges = () => db.withSchema('gateway').table('charges');
  const toOutcome = (row: { outcome: string; reference: string | null; message: string | null }): SettledCharge =>
    row.outcome === 'succeeded' ? { outcome: 'succeeded', reference: row.reference! } : { outcome: 'declined', message: row.message ?? 'declined' };
  return {
    async settle({ idempotencyKey, orderId, token, amountCents, currency }, outcome) {
      await charges()
        .insert({
          idempotency_key: idempotencyKey,
          order_id: orderId ?? null,
          // The books keep what kind of token paid, never the token: it could be replayed to charge.
          token: paymentTokenKind(token),
          amount_cents: amountCents,
          currency,
          outcome: outcome.outcome,
          reference: outcome.outcome === 'succeeded' ? outcome.reference : null,
          message: outcome.outcome === 'declined' ? outcome.message : null,
        })
        .onConflict('idempotency_key')
        .ignore();
      return toOutcome(await charges().where({ idempotency_key: idempotencyKey }).first());
    },
    async find(idempotencyKey) {
      const row = await charges().where({ idempotency_key: idempotencyKey }).first();
      return row && toOutcome(row);
    },
    async refund({ idempotencyKey, chargeReference, amountCents, currency }) {
      const reference = `sim_re_${idempotencyKey}`;
      const refunds = () => db.withSchema('gateway').table('refunds');
      if (await refunds().where({ idempotency_key: idempotencyKey }).first()) return reference; // answered before: the same refund
      // Like a processor, never give back more than the charge holds (Payment checks first; this is the processor's own rule).
      const charge = (await charges().where({ reference: chargeReference, outcome: 'succeeded' }).first('amount_cents')) as { amount_cents: string } | undefined;
      if (charge) {
        const [{ cents }] = (await refunds().where({ charge_reference: chargeReference }).sum({ cents: 'amount_cents' })) as { cents: string | null }[];
        const left = Number(charge.amount_cents) - Number(cents ?? 0);
        if (amountCents > left) throw new GatewayRefusedError(`refund of ${amountCents} exceeds what charge ${chargeReference} holds (${left})`);
      }
      await db
        .withSchema('gateway')
        .table('refunds')
        .insert({ idempotency_key: idempotencyKey, charge_reference: chargeReference, amount_cents: amountCents, currency, reference })
        .onConflict('idempotency_key')
        .ignore();
      return reference;
    },
  };
}

/** The test token a token stands for: itself, or one followed by `_<anything>` (tok_ok_a1b2 pays like tok_ok), so tests can use tokens of their own. */
export function testTokenOf(token: string): string {
  return Object.values(TEST_TOKENS).find((t) => token === t || token.startsWith(`${t}_`)) ?? token;
}

/**
 * The built-in simulator, driven by test tokens like a card processor's test mode:
 * tok_ok succeeds, tok_declined is declined, tok_pending never answers, tok_flaky fails
 * transiently twice per payment, then succeeds; each may carry a suffix (tok_ok_<anything>). Any other token is declined. It answers a
 * repeated idempotency key from its ledger, never with a second charge.
 */
export function createSimulatedGateway(ledger: GatewayLedger = memoryLedger()): PaymentGateway {
  const flakyCalls = new Map<string, number>();
  return {
    async charge(request) {
      const { idempotencyKey, token } = request;
      const known = await ledger.find(idempotencyKey);
      if (known) return known;
      let outcome: SettledCharge;
      switch (testTokenOf(token)) {
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
          outcome = { outcome: 'declined', message: 'unknown test token' };
      }
      return ledger.settle(request, outcome);
    },
    async refund(request) {
      return { reference: await ledger.refund(request) };
    },
  };
}
