import { petsCommand } from '../../cli/commands/pets';
import type { CommandDeps } from '../../cli/deps';
import { EXIT } from '../../cli/errors';
import type { Pet } from '../../domain/pets';
import { fakeApi, fakeDeps, plain, problem, runGroup, type Routes } from './cli-harness';

const pet = (overrides: Partial<Pet> = {}): Pet => ({
  id: 'pet-1',
  name: 'Rex',
  species: 'dog',
  breed: 'beagle',
  age: 3,
  description: null,
  tags: ['calm'],
  priceCents: 45000,
  currency: 'EUR',
  stock: 2,
  status: 'available',
  version: 3,
  createdAt: '2025-03-01T11:00:00.000Z',
  updatedAt: '2025-03-01T11:30:00.000Z',
  ...overrides,
});

function setup(routes: Routes, overrides: Partial<CommandDeps> = {}) {
  const api = fakeApi(routes);
  const deps = fakeDeps(api, overrides);
  const run = (args: string[], options?: { interactive?: boolean }) => runGroup((io) => petsCommand(io, deps), ['pets', ...args], options);
  return { api, deps, run };
}

/** A POST /pets that creates whatever it is sent, numbering the pets. */
const creating = (): Routes['POST /pets'] => {
  let n = 0;
  return ({ body }) => ({ status: 201, body: pet({ ...(body as Partial<Pet>), id: `new-${++n}` }) });
};

describe('petstore pets list', () => {
  it('renders a table with prices in currency units, passing the filters on', async () => {
    const { api, run } = setup({ 'GET /pets': () => ({ body: { items: [pet(), pet({ id: 'pet-2', name: 'Tom', species: 'cat', breed: null, priceCents: 1999, stock: 0, status: 'sold_out' })], nextCursor: null } }) });
    const { code, out } = await run(['list', '--species', 'dog', '--status', 'available', '--limit', '5']);
    expect(code).toBe(EXIT.ok);
    expect(plain(out)).toMatch(/pet-1\s+Rex\s+dog\s+beagle\s+3\s+450\.00 EUR\s+2\s+available/);
    expect(plain(out)).toMatch(/pet-2\s+Tom\s+cat\s+-\s+3\s+19\.99 EUR\s+0\s+sold_out/);
    expect(api.requests[0]!.query).toEqual({ species: 'dog', status: 'available', limit: '5' });
  });

  it('prints exactly one JSON document with --json, and follows every page with --all', async () => {
    const { api, run } = setup({
      'GET /pets': ({ query }) => (query.cursor ? { body: { items: [pet({ id: 'pet-2' })], nextCursor: null } } : { body: { items: [pet()], nextCursor: 'c1' } }),
    });
    const { code, stdout } = await run(['list', '--all', '--json']);
    expect(code).toBe(EXIT.ok);
    expect(stdout).toHaveLength(1);
    expect(JSON.parse(stdout[0]!)).toEqual({ items: [pet(), pet({ id: 'pet-2' })], nextCursor: null });
    expect(api.requests.map((r) => r.query)).toEqual([{ limit: '100' }, { limit: '100', cursor: 'c1' }]);
  });

  it('refuses a bad --status or --limit with exit 2 and asks nothing', async () => {
    const { api, run } = setup({});
    const status = await run(['list', '--status', 'BOGUS']);
    expect(status.code).toBe(EXIT.usage);
    expect(status.err).toMatch(/argument 'BOGUS' is invalid. Allowed choices are available, sold_out/);
    expect((await run(['list', '--limit', '0'])).code).toBe(EXIT.usage);
    expect((await run(['list', '--limit', '5', '--all'])).code).toBe(EXIT.usage);
    const unknown = await run(['list', '--bogus']);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toMatch(/^error: unknown option '--bogus'/);
    expect(api.requests).toHaveLength(0);
  });
});

describe('petstore pets get', () => {
  it('shows one pet for humans and as JSON', async () => {
    const { run } = setup({ 'GET /pets/:id': ({ params }) => ({ body: pet({ id: params.id! }) }) });
    const human = await run(['get', 'pet-1']);
    expect(human.code).toBe(EXIT.ok);
    expect(plain(human.out)).toMatch(/price\s+450\.00 EUR/);
    expect(plain(human.out)).toMatch(/version\s+3/);
    const json = await run(['get', 'pet-1', '--json']);
    expect(JSON.parse(json.out)).toEqual(pet());
  });

  it('exits 3 when there is no such pet, and 2 for an id the API could never take', async () => {
    const { run } = setup({ 'GET /pets/:id': () => problem(404, 'pet nope not found') });
    const missing = await run(['get', 'nope']);
    expect(missing.code).toBe(EXIT.notFound);
    expect(missing.err).toBe('error: pet nope not found');
    expect((await run(['get', 'a/b'])).code).toBe(EXIT.usage);
  });
});

describe('petstore pets add', () => {
  it('takes --price in currency units and --price-cents in cents', async () => {
    const { api, run } = setup({ 'POST /pets': creating() });
    expect((await run(['add', '--name', 'Rex', '--species', 'dog', '--price', '450.5', '--stock', '3', '--tags', 'calm, small', '--currency', 'eur'])).code).toBe(EXIT.ok);
    expect(api.requests[0]!.body).toEqual({ name: 'Rex', species: 'dog', priceCents: 45050, stock: 3, tags: ['calm', 'small'], currency: 'EUR' });
    const json = await run(['add', '--name', 'Tweety', '--species', 'bird', '--price-cents', '1999', '--stock', '1', '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ id: 'new-2', priceCents: 1999 });
  });

  it('refuses missing or bad values with exit 2 before calling the API', async () => {
    const { api, run } = setup({ 'POST /pets': creating() });
    const missing = await run(['add', '--name', 'Rex']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.err).toMatch(/pets add needs --species, --price \(or --price-cents\), --stock/);
    expect((await run(['add', '--name', 'Rex', '--species', 'dog', '--price', '4,50', '--stock', '1'])).err).toMatch(/--price must be an amount in currency units/);
    expect((await run(['add', '--name', 'Rex', '--species', 'dog', '--price', '4', '--price-cents', '400', '--stock', '1'])).code).toBe(EXIT.usage);
    expect((await run(['add', '--name', 'x'.repeat(101), '--species', 'dog', '--price', '4', '--stock', '1'])).err).toMatch(/name: must not have more than 100 characters/);
    expect((await run(['add', '--file', 'pets.csv', '--name', 'Rex'])).code).toBe(EXIT.usage);
    expect(api.requests).toHaveLength(0);
  });
});

describe('petstore pets add --file', () => {
  const goodCsv = 'name,species,breed,price,stock,tags\nRex,dog,beagle,450.00,3,calm;small\n"Tom, the cat",cat,,19.99,1,\n';
  const badCsv = 'name,species,price,stock\nRex,dog,450.00,3\nTom,cat,cheap,1\nBella,dog,300,-1\nLuna,cat,120,2\n';

  it('imports every row of a good CSV file', async () => {
    const { api, run } = setup({ 'POST /pets': creating() }, { readFile: async () => goodCsv });
    const { code, out } = await run(['add', '--file', 'pets.csv']);
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/imported 2 of 2 pets from pets.csv/);
    expect(api.requests.map((r) => r.body)).toEqual([
      { name: 'Rex', species: 'dog', breed: 'beagle', priceCents: 45000, stock: 3, tags: ['calm', 'small'] },
      { name: 'Tom, the cat', species: 'cat', priceCents: 1999, stock: 1 },
    ]);
  });

  it('imports a JSON array, or the output of pets list --json (read-only fields ignored)', async () => {
    const listed = JSON.stringify({ items: [pet()], nextCursor: null });
    const { api, run } = setup({ 'POST /pets': creating() }, { readFile: async () => listed });
    expect((await run(['add', '--file', 'export.json'])).code).toBe(EXIT.ok);
    expect(api.requests[0]!.body).toEqual({ name: 'Rex', species: 'dog', breed: 'beagle', age: 3, tags: ['calm'], priceCents: 45000, currency: 'EUR', stock: 2 });
  });

  it('imports nothing from a file with bad rows, naming each row and line (exit 2)', async () => {
    const { api, run } = setup({ 'POST /pets': creating() }, { readFile: async () => badCsv });
    const { code, err, out } = await run(['add', '--file', 'pets.csv']);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/row 2 \(line 3\): price: must be an amount in currency units/);
    expect(err).toMatch(/row 3 \(line 4\): stock: must be >= 0/);
    expect(err).toMatch(/2 of 4 rows are invalid \(2, 3\); nothing was imported: fix them, or pass --continue-on-error to import the 2 valid rows/);
    expect(out).toBe('');
    expect(api.requests).toHaveLength(0);
  });

  it('imports the valid rows with --continue-on-error, reports the others and exits 1', async () => {
    const { api, run } = setup({ 'POST /pets': creating() }, { readFile: async () => badCsv });
    const { code, stdout, err } = await run(['add', '--file', 'pets.csv', '--continue-on-error', '--json']);
    expect(code).toBe(EXIT.failure);
    expect(api.requests.map((r) => (r.body as { name: string }).name)).toEqual(['Rex', 'Luna']);
    expect(stdout).toHaveLength(1);
    const report = JSON.parse(stdout[0]!);
    expect(report.imported).toEqual([
      { row: 1, line: 2, id: 'new-1', name: 'Rex' },
      { row: 4, line: 5, id: 'new-2', name: 'Luna' },
    ]);
    expect(report.failed.map((f: { row: number }) => f.row)).toEqual([2, 3]);
    expect(err).toMatch(/2 of 4 rows were not imported; rows 1, 4 were imported/);
  });

  it('keeps going past a row the API refuses with --continue-on-error, but stops when the token is refused', async () => {
    const csv = 'name,species,price,stock\nA,dog,1,1\nB,dog,1,1\nC,dog,1,1\n';
    const refusing = setup({ 'POST /pets': ({ body }) => ((body as { name: string }).name === 'B' ? problem(409, 'duplicate') : { status: 201, body: pet() }) }, { readFile: async () => csv });
    const partial = await refusing.run(['add', '--file', 'p.csv', '--continue-on-error']);
    expect(partial.code).toBe(EXIT.failure);
    expect(refusing.api.requests).toHaveLength(3);
    expect(partial.err).toMatch(/row 2 \(line 3\): POST \/pets failed with 409: duplicate/);
    const forbidden = setup({ 'POST /pets': () => problem(403, 'admin only') }, { readFile: async () => csv });
    expect((await forbidden.run(['add', '--file', 'p.csv', '--continue-on-error'])).code).toBe(EXIT.failure);
    expect(forbidden.api.requests).toHaveLength(1);
  });

  it('counts lines through quoted fields that span lines, and checks the number of fields', async () => {
    const csv = 'name,species,description,price,stock\r\nRex,dog,"loves ""walks""\nand naps",1,1\r\nTom,cat,,1\r\n';
    const { api, run } = setup({ 'POST /pets': creating() }, { readFile: async () => csv });
    const { code, err } = await run(['add', '--file', 'p.csv']);
    expect(code).toBe(EXIT.usage);
    expect(err).toMatch(/row 2 \(line 4\): has 4 fields, the header has 5/);
    expect(api.requests).toHaveLength(0);
    await run(['add', '--file', 'p.csv', '--continue-on-error']);
    expect(api.requests[0]!.body).toMatchObject({ description: 'loves "walks"\nand naps' });
  });

  it('refuses a file it cannot read as pets with exit 2', async () => {
    const { run } = setup({}, { readFile: async () => '{"not": "pets"}' });
    expect((await run(['add', '--file', 'pets.json'])).err).toMatch(/pets.json: expected an array of pets/);
    expect((await run(['add', '--file', 'pets.xml'])).code).toBe(EXIT.usage);
    const unknown = setup({}, { readFile: async () => 'name,species,prise,stock\nRex,dog,1,1\n' });
    expect((await unknown.run(['add', '--file', 'p.csv'])).err).toMatch(/row 1 \(line 2\): unknown field "prise"/);
  });

  it('draws a progress bar on the terminal only', async () => {
    const tty = setup({ 'POST /pets': creating() }, { readFile: async () => goodCsv });
    const shown = await tty.run(['add', '--file', 'pets.csv'], { interactive: true });
    expect(shown.code).toBe(EXIT.ok);
    expect(tty.deps.drawn.join('')).toMatch(/importing pets.csv \[░+\] 0\/2/);
    expect(shown.out).not.toMatch(/importing/);
    const piped = setup({ 'POST /pets': creating() }, { readFile: async () => goodCsv });
    await piped.run(['add', '--file', 'pets.csv']);
    expect(piped.deps.drawn).toEqual([]);
  });
});

describe('petstore pets update', () => {
  it('reads the pet, merges the changes and writes with If-Match of the version read', async () => {
    const { api, run } = setup({ 'GET /pets/:id': () => ({ body: pet() }), 'PUT /pets/:id': ({ body }) => ({ body: pet({ ...(body as Partial<Pet>), version: 4 }) }) });
    const { code, out, err } = await run(['update', 'pet-1', '--price', '399', '--breed', '']);
    expect(err).toBe('');
    expect(code).toBe(EXIT.ok);
    const put = api.writes()[0]!;
    expect(put.headers['if-match']).toBe('"3"');
    expect(put.body).toEqual({ name: 'Rex', species: 'dog', breed: null, age: 3, description: null, tags: ['calm'], priceCents: 39900, currency: 'EUR', stock: 2 });
    expect(out).toMatch(/version 3 → 4/);
  });

  it('explains a concurrent change (412) and exits 1', async () => {
    const { run } = setup({ 'GET /pets/:id': () => ({ body: pet() }), 'PUT /pets/:id': () => problem(412, 'pet pet-1 is at version 4, not 3') });
    const { code, err } = await run(['update', 'pet-1', '--stock', '5']);
    expect(code).toBe(EXIT.failure);
    expect(err).toMatch(/pet pet-1 changed after it was read \(at version 3\); nothing was written: run the command again/);
  });

  it('needs at least one change', async () => {
    const { run } = setup({});
    expect((await run(['update', 'pet-1'])).code).toBe(EXIT.usage);
  });
});

describe('petstore pets rm', () => {
  const routes = (): Routes => ({ 'GET /pets/:id': () => ({ body: pet() }), 'DELETE /pets/:id': () => ({ status: 204 }) });

  it('refuses without --yes when not on a terminal (exit 2), and removes with it', async () => {
    const { api, run } = setup(routes());
    const refused = await run(['rm', 'pet-1']);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toMatch(/pass --yes/);
    expect(api.requests).toHaveLength(0);
    const removed = await run(['rm', 'pet-1', '--yes', '--json']);
    expect(removed.code).toBe(EXIT.ok);
    expect(JSON.parse(removed.out)).toEqual({ removed: 'pet-1' });
    expect(api.writes().map((r) => `${r.method} ${r.path}`)).toEqual(['DELETE /pets/pet-1']);
  });

  it('asks on a terminal and removes only on yes', async () => {
    const questions: string[] = [];
    const no = setup(routes(), { confirm: async (q) => (questions.push(q), false) });
    expect((await no.run(['rm', 'pet-1'], { interactive: true })).code).toBe(EXIT.failure);
    expect(no.api.writes()).toHaveLength(0);
    expect(questions[0]).toMatch(/Remove pet pet-1 \(Rex, dog, 2 in stock\)/);
    const yes = setup(routes(), { confirm: async () => true });
    expect((await yes.run(['rm', 'pet-1'], { interactive: true })).code).toBe(EXIT.ok);
    expect(yes.api.writes()).toHaveLength(1);
  });
});

describe('petstore pets restock', () => {
  it('posts the quantity and shows the new stock', async () => {
    const { api, run } = setup({ 'POST /pets/:id/restock': ({ body }) => ({ body: pet({ stock: 2 + (body as { quantity: number }).quantity, version: 4 }) }) });
    const { code, out } = await run(['restock', 'pet-1', '5']);
    expect(code).toBe(EXIT.ok);
    expect(api.requests[0]!.body).toEqual({ quantity: 5 });
    expect(out).toMatch(/restocked pet pet-1 \(Rex\) by 5: 7 in stock/);
  });

  it('refuses a quantity that is not a whole number from 1 to 100000 (exit 2)', async () => {
    const { api, run } = setup({});
    const negative = await run(['restock', 'pet-1', '-3']);
    expect(negative.code).toBe(EXIT.usage);
    expect(negative.err).toMatch(/quantity must be a whole number from 1 to 100000, got "-3"/);
    expect((await run(['restock', 'pet-1', '2.5'])).code).toBe(EXIT.usage);
    expect(api.requests).toHaveLength(0);
  });

  it('exits 3 for an unknown pet', async () => {
    const { run } = setup({ 'POST /pets/:id/restock': () => problem(404, 'pet nope not found') });
    expect((await run(['restock', 'nope', '1'])).code).toBe(EXIT.notFound);
  });
});
