import { useState } from 'preact/hooks';
import { listMyOrders, type Order } from '../api';
import { ErrorMessage, PageTitle } from '../components';
import { money, STATUS_TEXT } from '../format';
import { useLoad, useSession } from '../hooks';

/** The signed-in customer's orders, newest first. */
export function MyOrders() {
  const session = useSession();
  const [more, setMore] = useState<Order[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const first = useLoad(async () => {
    if (!session) return null;
    const page = await listMyOrders(session.userId);
    setMore([]);
    setCursor(page.nextCursor);
    return page.items;
  }, [session?.userId]);
  const [error, setError] = useState<string | null>(null);

  if (!session) {
    return (
      <section>
        <PageTitle title="My orders">My orders</PageTitle>
        <p>
          <a href={`/shop/sign-in?returnTo=${encodeURIComponent('/shop/orders')}`}>Sign in to see your orders</a>
        </p>
      </section>
    );
  }
  const orders = [...(first.value ?? []), ...more];
  return (
    <section>
      <PageTitle title="My orders">My orders</PageTitle>
      <ErrorMessage message={first.error ?? error} />
      {first.loading && !first.value ? (
        <p>Loading your orders…</p>
      ) : orders.length === 0 ? (
        <p>
          No orders yet. <a href="/shop">Find a pet</a>
        </p>
      ) : (
        <ul class="orders">
          {orders.map((order) => (
            <li key={order.id}>
              <a href={`/shop/orders/${order.id}`}>Order {order.id.slice(0, 8)}</a> <span class={`badge status-${order.status.toLowerCase()}`}>{STATUS_TEXT[order.status]}</span>{' '}
              <span class="meta">
                {new Date(order.createdAt).toLocaleString()}
                {order.totalCents !== null && order.currency ? ` · ${money(order.totalCents, order.currency)}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {cursor && (
        <button
          type="button"
          class="secondary"
          onClick={() =>
            void listMyOrders(session.userId, cursor).then(
              (page) => {
                setMore((m) => [...m, ...page.items]);
                setCursor(page.nextCursor);
              },
              (e: unknown) => setError((e as Error).message),
            )
          }
        >
          Show older orders
        </button>
      )}
    </section>
  );
}
