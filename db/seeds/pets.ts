import type { Knex } from 'knex';

/** The demo catalogue: fixed ids, so the seed can run any number of times and add each pet once. */
export const SEED_PETS = [
  ['Biscuit', 'dog', 'Beagle', 2, 'Loves long walks and longer naps.', ['friendly', 'kids'], 45000, 4],
  ['Luna', 'cat', 'Siamese', 1, 'Talkative and curious.', ['indoor'], 38000, 3],
  ['Rex', 'dog', 'German Shepherd', 3, 'Loyal, trained, calm.', ['trained', 'guard'], 72000, 2],
  ['Mochi', 'rabbit', 'Holland Lop', 1, 'Floppy ears, gentle temper.', ['small', 'kids'], 9000, 8],
  ['Nemo', 'fish', 'Clownfish', 1, 'Reef-safe, easy to keep.', ['aquarium'], 1500, 40],
  ['Kiwi', 'bird', 'Budgerigar', 1, 'Chirpy and social.', ['small', 'singing'], 3500, 12],
  ['Shadow', 'cat', 'Maine Coon', 4, 'A gentle giant.', ['fluffy'], 65000, 2],
  ['Pepper', 'dog', 'Border Collie', 2, 'Clever; needs a job to do.', ['active', 'trained'], 58000, 3],
  ['Coco', 'guinea pig', 'Abyssinian', 1, 'Squeaks at the fridge door.', ['small', 'kids'], 4500, 10],
  ['Sunny', 'bird', 'Cockatiel', 2, 'Whistles the morning news.', ['singing'], 12000, 6],
  ['Ziggy', 'reptile', 'Leopard Gecko', 2, 'Low-maintenance night owl.', ['terrarium'], 8500, 7],
  ['Bella', 'dog', 'Golden Retriever', 1, 'Sunshine in dog form.', ['friendly', 'kids'], 80000, 3],
  ['Oliver', 'cat', 'British Shorthair', 3, 'Dignified lap warmer.', ['indoor', 'calm'], 54000, 4],
  ['Bubbles', 'fish', 'Betta', 1, 'Flowing fins, solo tank.', ['aquarium'], 2500, 25],
  ['Hazel', 'hamster', 'Syrian', 1, 'Runs a marathon nightly.', ['small'], 2000, 15],
  ['Thor', 'dog', 'Husky', 2, 'Sings opera at sirens.', ['active'], 70000, 2],
  ['Cleo', 'cat', 'Sphynx', 2, 'Warm to the touch, warmer at heart.', ['indoor', 'hypoallergenic'], 90000, 1],
  ['Spike', 'reptile', 'Bearded Dragon', 3, 'Waves hello.', ['terrarium', 'calm'], 15000, 5],
  ['Daisy', 'rabbit', 'Lionhead', 1, 'A mane to envy.', ['fluffy', 'kids'], 11000, 6],
  ['Goldie', 'fish', 'Fancy Goldfish', 1, 'Pond or tank, always golden.', ['aquarium', 'kids'], 1200, 50],
  ['Rio', 'bird', 'Lovebird', 1, 'Best kept in pairs.', ['singing', 'small'], 6000, 8],
  ['Max', 'dog', 'Dachshund', 4, 'Small dog, big bark.', ['apartment'], 48000, 3],
] as const;

/** A stable uuid for the n-th seed pet. */
export const seedPetId = (n: number): string => `00000000-0000-4000-8000-${String(n + 1).padStart(12, '0')}`;

/** Adds the demo catalogue; pets already present (by id) are left as they are. */
export async function seedPets(db: Knex): Promise<number> {
  const rows = SEED_PETS.map(([name, species, breed, age, description, tags, priceCents, stock], n) => ({
    id: seedPetId(n),
    name,
    species,
    breed,
    age,
    description,
    tags: [...tags],
    price_cents: priceCents,
    currency: 'EUR',
    stock,
  }));
  const inserted = await db.withSchema('inventory').table('pets').insert(rows).onConflict('id').ignore().returning('id');
  return inserted.length;
}
