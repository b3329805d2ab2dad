import type { KeyRing } from '../../lib/keyring';
import { openPaymentToken } from '../../lib/payment-token';
import type { PaymentGateway } from './gateway';

/**
 * The gateway behind Payment's books: tokens stay sealed in payments.payment_token and are opened only
 * here, for the one call to the processor that needs them.
 */
export function sealedTokenGateway(gateway: PaymentGateway, ring: KeyRing): PaymentGateway {
  return {
    async charge(request) {
      if (!request.orderId) throw new Error('a charge names its order: the sealed token is bound to it');
      return gateway.charge({ ...request, token: openPaymentToken(ring, request.orderId, request.token) });
    },
    refund: (request) => gateway.refund(request),
  };
}
