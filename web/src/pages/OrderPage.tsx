import { useEffect, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { cancelOrder, getPet, listPayments, pay, type Order, type Payment } from '../api';
import { ErrorMessage, Notice, PageTitle } from '../components';
import { CANCEL_REASON_TEXT, CANCELLABLE, money, STATUS_TEXT } from '../format';
import { followOrder } from '../order-stream';
import { TokenHelp } from './TokenHelp';

const PAYMENT_TEXT: Record<Payment['status'], string> = {
  PENDING: 'The payment is pending.',
  SUCCEEDED: 'The payment went through.',
  FAILED: 'The payment failed.',
  PARTIALLY_REFUNDED: 'Part of the payment was refunded.',
  REFUNDED: 'The payment was refunded.',
};

/** One order, live: its status as the server pushes it, pay again while it awaits payment, cancel while allowed. */
export function OrderPage() {
  const { params } = useRoute();
  const orderId = params.id!;
  const [order, setOrder] = useState<Order | null>(null);
  const [trouble, setTrouble] = useState<string | null>(null);
  const [names, setNames] = useState<Record<string, string>>({});
  const [payment, setPayment] = useState<Payment | null>(null);
  const [token, setToken] = useState('tok_ok');
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => followOrder(orderId, { onOrder: setOrder, onTrouble: setTrouble }), [orderId]);

  // Pet names and the payment, read again whenever the order moves.
  const petIds = order?.items.map((i) => i.petId).join(',');
  useEffect(() => {
    if (!order) return;
    for (const item of order.items) {
      if (names[item.petId]) continue;
      getPet(item.petId).then(
        (pet) => setNames((n) => ({ ...n, [pet.id]: pet.name })),
        () => undefined, // a removed pet keeps its id on the page
      );
    }
  }, [petIds]);
  useEffect(() => {
    if (!order || order.status === 'PLACED' || order.status === 'AWAITING_INVENTORY') return;
    listPayments(orderId).then(
      (page) => setPayment(page.items[0] ?? null),
      () => setPayment(null),
    );
  }, [order?.status, order?.updatedAt]);

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(null);
    try {
      const result = await action();
      if (result && typeof result === 'object' && 'status' in result && 'orderId' in result) setPayment(result as Payment);
    } catch (error) {
      setActionError((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!order) {
    return trouble ? <ErrorMessage message={trouble} /> : <p>Loading your order…</p>;
  }
  const final = order.status === 'CONFIRMED' || order.status === 'CANCELLED';
  return (
    <article aria-labelledby="order-title">
      <PageTitle title={`Order ${order.id.slice(0, 8)}`}>
        <span id="order-title">Order {order.id.slice(0, 8)}</span>
      </PageTitle>
      <div class={`status status-${order.status.toLowerCase()}`} role="status" aria-live="polite" data-testid="order-status">
        <strong>{STATUS_TEXT[order.status]}</strong>
        {order.status === 'CONFIRMED' && <span> — the pets are yours. Thank you!</span>}
        {order.status === 'CANCELLED' && order.cancelReason && <span> — {CANCEL_REASON_TEXT[order.cancelReason]}</span>}
        {!final && <span class="live"> (updates live)</span>}
      </div>
      {trouble && <ErrorMessage message={trouble} />}
      {payment && !final && <p>{PAYMENT_TEXT[payment.status]}</p>}
      <table class="lines">
        <caption class="visually-hidden">Pets in this order</caption>
        <thead>
          <tr>
            <th scope="col">Pet</th>
            <th scope="col">Quantity</th>
            <th scope="col">Price</th>
          </tr>
        </thead>
        <tbody>
          {order.items.map((item) => (
            <tr key={item.petId}>
              <th scope="row">
                <a href={`/shop/pets/${item.petId}`}>{names[item.petId] ?? item.petId}</a>
              </th>
              <td>{item.quantity}</td>
              <td>{item.unitPriceCents !== null && order.currency ? money(item.unitPriceCents, order.currency) : '…'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {order.totalCents !== null && order.currency && (
        <p class="total">
          Total: <strong>{money(order.totalCents, order.currency)}</strong>
        </p>
      )}
      <p class="meta">Placed {new Date(order.createdAt).toLocaleString()}</p>

      {order.status === 'AWAITING_PAYMENT' && (
        <form
          class="checkout"
          aria-labelledby="pay-title"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => pay(order.id, token.trim()));
          }}
        >
          <h2 id="pay-title">Pay again</h2>
          <label for="pay-token">Payment token</label>
          <input id="pay-token" name="paymentToken" value={token} onInput={(e) => setToken(e.currentTarget.value)} required autoComplete="off" aria-describedby="pay-token-help" spellcheck={false} />
          <TokenHelp id="pay-token-help" />
          <button type="submit" disabled={busy}>
            Pay
          </button>
        </form>
      )}
      <ErrorMessage message={actionError} />
      {CANCELLABLE.includes(order.status) && (
        <p>
          <button type="button" class="secondary" disabled={busy} onClick={() => void act(() => cancelOrder(order.id))}>
            Cancel this order
          </button>
        </p>
      )}
      {final && <Notice>This order is {order.status === 'CONFIRMED' ? 'complete' : 'closed'}.</Notice>}
      <p>
        <a href="/shop/orders">All my orders</a>
      </p>
    </article>
  );
}
