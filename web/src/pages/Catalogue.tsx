import { useState } from 'preact/hooks';
import { listPets, type Pet } from '../api';
import { addToBasket } from '../basket';
import { ErrorMessage, Notice, PageTitle } from '../components';
import { money } from '../format';
import { useLoad } from '../hooks';

const CATALOGUE_PAGE = 100;

/** The catalogue: species and availability filter on the server, price within the loaded pages. */
export function Catalogue() {
  const [species, setSpecies] = useState('');
  const [inStock, setInStock] = useState(true);
  const [maxPrice, setMaxPrice] = useState('');
  const [added, setAdded] = useState<string | null>(null);
  const pets = useLoad(() => listPets({ species: species || undefined, status: inStock ? 'available' : undefined, limit: CATALOGUE_PAGE }), [species, inStock]);
  const allSpecies = useLoad(() => listPets({ limit: CATALOGUE_PAGE }).then((page) => [...new Set(page.items.map((p) => p.species))].sort()), []);
  const ceiling = maxPrice === '' ? Infinity : Math.round(Number(maxPrice) * 100);
  const shown = (pets.value?.items ?? []).filter((pet) => pet.priceCents <= ceiling);

  const add = (pet: Pet) => {
    addToBasket({ petId: pet.id, name: pet.name, priceCents: pet.priceCents, currency: pet.currency }, 1, pet.stock);
    setAdded(`${pet.name} is in your basket.`);
  };

  return (
    <section aria-labelledby="catalogue-title">
      <PageTitle title="Pets">
        <span id="catalogue-title">Find a pet</span>
      </PageTitle>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the pets">
        <label>
          Species
          <input name="species" type="search" list="species-list" placeholder="all" value={species} onChange={(e) => setSpecies(e.currentTarget.value.trim())} />
          <datalist id="species-list">
            {(allSpecies.value ?? []).map((s) => (
              <option value={s} key={s} />
            ))}
          </datalist>
        </label>
        <label>
          Highest price
          <input name="maxPrice" type="number" inputMode="decimal" min="0" step="1" placeholder="any" value={maxPrice} onInput={(e) => setMaxPrice(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input name="inStock" type="checkbox" checked={inStock} onChange={(e) => setInStock(e.currentTarget.checked)} />
          In stock only
        </label>
      </form>
      <ErrorMessage message={pets.error} />
      {added && <Notice>{added}</Notice>}
      {pets.loading && !pets.value ? (
        <p>Loading the pets…</p>
      ) : shown.length === 0 && !pets.error ? (
        <p>No pet matches these filters.</p>
      ) : (
        <ul class="cards" aria-label="Pets">
          {shown.map((pet) => (
            <li class="card" key={pet.id}>
              <h2>
                <a href={`/shop/pets/${pet.id}`}>{pet.name}</a>
              </h2>
              <p class="meta">
                {pet.species}
                {pet.breed ? ` · ${pet.breed}` : ''}
                {pet.age !== null ? ` · ${pet.age} ${pet.age === 1 ? 'year' : 'years'}` : ''}
              </p>
              <p class="price">{money(pet.priceCents, pet.currency)}</p>
              <p class="stock">{pet.stock > 0 ? `${pet.stock} in stock` : 'Sold out'}</p>
              <button type="button" onClick={() => add(pet)} disabled={pet.stock === 0} aria-label={`Add ${pet.name} to the basket`}>
                Add to basket
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
