import { useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { idempotencyKey, placeOrder } from '../api';
import { clearBasket, setQuantity, useBasket } from '../basket';
import { ErrorMessage, PageTitle } from '../components';
import { money } from '../format';
import { useSession } from '../hooks';
import { TokenHelp } from './TokenHelp';

/** The basket and the checkout: quantities, the total, a payment token, and the order. */
export function Basket() {
  const lines = useBasket();
  const session = useSession();
  const { route } = useLocation();
  const [token, setToken] = useState('tok_ok');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per basket attempt: a retry after a lost answer returns the same order instead of a second one.
  const key = useRef(idempotencyKey());
  const currencies = [...new Set(lines.map((l) => l.currency))];
  const total = lines.reduce((sum, l) => sum + l.priceCents * l.quantity, 0);

  const checkout = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const placed = await placeOrder(lines.map((l) => ({ petId: l.petId, quantity: l.quantity })), token.trim(), key.current);
      clearBasket();
      key.current = idempotencyKey();
      route(`/shop/orders/${placed.orderId}`);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="basket-title">
      <PageTitle title="Basket">
        <span id="basket-title">Your basket</span>
      </PageTitle>
      {lines.length === 0 ? (
        <p>
          Your basket is empty. <a href="/shop">Find a pet</a>
        </p>
      ) : (
        <>
          <table class="lines">
            <caption class="visually-hidden">Pets in your basket</caption>
            <thead>
              <tr>
                <th scope="col">Pet</th>
                <th scope="col">Price</th>
                <th scope="col">Quantity</th>
                <th scope="col">
                  <span class="visually-hidden">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.map((line) => (
                <tr key={line.petId}>
                  <th scope="row">
                    <a href={`/shop/pets/${line.petId}`}>{line.name}</a>
                  </th>
                  <td>{money(line.priceCents, line.currency)}</td>
                  <td>
                    <label class="visually-hidden" for={`qty-${line.petId}`}>
                      Quantity of {line.name}
                    </label>
                    <input id={`qty-${line.petId}`} class="qty" type="number" min="1" max="10" value={line.quantity} onChange={(e) => setQuantity(line.petId, Math.max(1, Math.min(10, Number(e.currentTarget.value) || 1)))} />
                  </td>
                  <td>
                    <button type="button" class="secondary" onClick={() => setQuantity(line.petId, 0)} aria-label={`Remove ${line.name}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {currencies.length === 1 ? (
            <p class="total">
              Total: <strong>{money(total, currencies[0]!)}</strong>
            </p>
          ) : (
            <p class="message error">These pets are priced in different currencies; please order them separately.</p>
          )}
          {session ? (
            <form class="checkout" onSubmit={(event) => void checkout(event)} aria-labelledby="checkout-title">
              <h2 id="checkout-title">Checkout</h2>
              <label for="payment-token">Payment token</label>
              <input id="payment-token" name="paymentToken" value={token} onInput={(e) => setToken(e.currentTarget.value)} required autoComplete="off" aria-describedby="token-help" spellcheck={false} />
              <TokenHelp id="token-help" />
              <ErrorMessage message={error} />
              <button type="submit" disabled={busy}>
                {busy ? 'Placing your order…' : 'Place order'}
              </button>
            </form>
          ) : (
            <p>
              <a href={`/shop/sign-in?returnTo=${encodeURIComponent('/shop/basket')}`}>Sign in to check out</a>
            </p>
          )}
        </>
      )}
    </section>
  );
}
