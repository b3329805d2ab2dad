import { useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import { getPet } from '../api';
import { addToBasket } from '../basket';
import { ErrorMessage, Notice, PageTitle } from '../components';
import { money } from '../format';
import { useLoad } from '../hooks';

// The most units of one pet an order line may ask for (domain/orders.ts ORDER_LIMITS).
const MAX_PER_LINE = 10;

/** One pet: what it is, what it costs, and how many to put in the basket. */
export function PetPage() {
  const { params } = useRoute();
  const pet = useLoad(() => getPet(params.id!), [params.id]);
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState<string | null>(null);
  if (pet.error) return <ErrorMessage message={pet.error} />;
  if (!pet.value) return <p>Loading…</p>;
  const p = pet.value;
  const max = Math.min(p.stock, MAX_PER_LINE);
  return (
    <article aria-labelledby="pet-name">
      <PageTitle title={p.name}>
        <span id="pet-name">{p.name}</span>
      </PageTitle>
      <dl class="facts">
        <dt>Species</dt>
        <dd>{p.species}</dd>
        {p.breed && (
          <>
            <dt>Breed</dt>
            <dd>{p.breed}</dd>
          </>
        )}
        {p.age !== null && (
          <>
            <dt>Age</dt>
            <dd>
              {p.age} {p.age === 1 ? 'year' : 'years'}
            </dd>
          </>
        )}
        <dt>Price</dt>
        <dd class="price">{money(p.priceCents, p.currency)}</dd>
        <dt>In stock</dt>
        <dd>{p.stock}</dd>
      </dl>
      {p.description && <p>{p.description}</p>}
      {p.tags.length > 0 && <p class="meta">Tags: {p.tags.join(', ')}</p>}
      {max > 0 ? (
        <form
          class="inline"
          onSubmit={(e) => {
            e.preventDefault();
            addToBasket({ petId: p.id, name: p.name, priceCents: p.priceCents, currency: p.currency }, quantity, max);
            setAdded(`${quantity} × ${p.name} added to your basket.`);
          }}
        >
          <label>
            Quantity
            <input name="quantity" type="number" min="1" max={max} value={quantity} onInput={(e) => setQuantity(Math.max(1, Math.min(max, Number(e.currentTarget.value) || 1)))} />
          </label>
          <button type="submit">Add to basket</button>
        </form>
      ) : (
        <p>Sold out for now.</p>
      )}
      {added && (
        <Notice>
          {added} <a href="/shop/basket">Go to the basket</a>
        </Notice>
      )}
      <p>
        <a href="/shop">Back to all pets</a>
      </p>
    </article>
  );
}
