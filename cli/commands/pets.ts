import { Command, Option } from 'commander';
import type { Page, PetInput } from '../../api/ports';
import { PET_STATUS, type Pet, type PetStatus } from '../../domain/pets';
import { apiStatusOf } from '../api-errors';
import { answerOf, type ApiClient } from '../api-client';
import { withDefaults, type CommandDeps } from '../deps';
import { CliError, EXIT } from '../errors';
import { render, table, type Io, type OutputOptions } from '../output';
import { addPagingOptions, collectPages, type PagingOptions } from '../paging';
import { currencyParser, idParser, intParser, listParser, priceParser } from '../parsers';
import { BadFileError, checkRow, petInputProblems, rowsOf, type CheckedRow } from '../pet-input';
import { bar, progressLine } from '../progress';
import { details, money, orDash, time } from '../render/format';

/** The writable fields as options (add and update share them). */
interface PetFieldOptions {
  name?: string;
  species?: string;
  /** "" (from `--breed ""`) removes it. */
  breed?: string;
  age?: number | '';
  description?: string;
  tags?: string[];
  /** --price, already in cents. */
  price?: number;
  priceCents?: number;
  currency?: string;
  stock?: number;
}

const FIELD_OPTION_NAMES = ['name', 'species', 'breed', 'age', 'description', 'tags', 'price', 'priceCents', 'currency', 'stock'] as const;

// "" removes an optional field on update. The parsers keep it as "" (commander turns a parser's null into "").
const optionalText = (value: string): string => value.trim();
const ageParser = (value: string): number | '' => (value.trim() === '' ? '' : intParser('--age', 0, 100)(value));
/** A field's new value: "" means none. */
const orNull = <T>(value: T | ''): T | null => (value === '' ? null : value);

const fieldOptions = (update: boolean): Option[] => [
  new Option('--name <name>', 'the pet\'s name'),
  new Option('--species <species>', 'e.g. cat, dog, parrot'),
  new Option('--breed <breed>', update ? 'breed ("" removes it)' : 'breed').argParser(optionalText),
  new Option('--age <years>', update ? 'age in whole years, 0 to 100 ("" removes it)' : 'age in whole years, 0 to 100').argParser(ageParser),
  new Option('--description <text>', update ? 'up to 2000 characters ("" removes it)' : 'up to 2000 characters').argParser(optionalText),
  new Option('--tags <a,b>', update ? 'comma-separated tags; replaces the current ones ("" removes all)' : 'comma-separated tags').argParser(listParser),
  new Option('--price <amount>', 'price in currency UNITS with up to 2 decimals: 450.00 (or 450) means 450.00 EUR = 45000 cents').argParser(priceParser).conflicts('priceCents'),
  new Option('--price-cents <cents>', 'price in integer CENTS: 45000 means 450.00 EUR').argParser(intParser('--price-cents', 0, 100_000_000)),
  new Option('--currency <code>', update ? 'ISO 4217 code, e.g. EUR' : 'ISO 4217 code, e.g. EUR (default: the service\'s)').argParser(currencyParser),
  new Option('--stock <n>', update ? 'units in stock, 0 to 1000000 (sets it; prefer `pets restock` to add)' : 'units in stock, 0 to 1000000').argParser(intParser('--stock', 0, 1_000_000)),
];

const priceOf = (options: PetFieldOptions): number | undefined => options.priceCents ?? options.price;

/** Refuses an input the API would refuse, with every field's problem, before sending it. */
function assertValid(input: PetInput): PetInput {
  const problems = petInputProblems(input);
  if (problems.length > 0) throw new CliError(`invalid pet: ${problems.join('; ')}`, EXIT.usage);
  return input;
}

/** The writable fields of a pet as read, for a PUT that changes only what was asked. */
const inputOf = (pet: Pet): PetInput => ({
  name: pet.name,
  species: pet.species,
  breed: pet.breed,
  age: pet.age,
  description: pet.description,
  tags: pet.tags,
  priceCents: pet.priceCents,
  currency: pet.currency,
  stock: pet.stock,
});

const petParams = (id: string) => ({ params: { path: { id } } });

/** One pet for humans. */
export function petDetails(pet: Pet, now: Date): string {
  return details([
    ['pet', pet.id],
    ['name', pet.name],
    ['species', pet.species],
    ['breed', orDash(pet.breed)],
    ['age', pet.age === null ? '-' : `${pet.age}y`],
    ['price', money(pet.priceCents, pet.currency)],
    ['stock', pet.stock],
    ['status', pet.status],
    ['tags', pet.tags.length ? pet.tags.join(', ') : '-'],
    ['description', orDash(pet.description)],
    ['version', pet.version],
    ['created', time(pet.createdAt, now)],
    ['updated', time(pet.updatedAt, now)],
  ]);
}

/** Pets as a table, one line each. */
export function petsTable(pets: Pet[]): string {
  if (pets.length === 0) return 'no pets';
  return table(
    ['pet', 'name', 'species', 'breed', 'age', 'price', 'stock', 'status'],
    pets.map((p) => [p.id, p.name, p.species, orDash(p.breed), orDash(p.age), money(p.priceCents, p.currency), p.stock, p.status]),
  );
}

/** What a bulk import did, row by row (rows count from 1, after the CSV header). */
export interface ImportReport {
  file: string;
  rows: number;
  imported: { row: number; line?: number; id: string; name: string }[];
  failed: { row: number; line?: number; problems: string[] }[];
  /** Why the import stopped before the end, if it did. */
  stopped: string | null;
}

const where = (row: { row: number; line?: number }) => (row.line === undefined ? `row ${row.row}` : `row ${row.row} (line ${row.line})`);

/** Whether an API failure is about the row itself (bad values, a conflict) rather than the server or the token. */
const rowSpecific = (error: unknown) => [400, 409, 413, 422].includes(apiStatusOf(error) ?? 0);

/** `pets add --file`: checks every row first; imports nothing from a bad file unless continueOnError. */
async function importFile(io: Io, deps: CommandDeps, api: ApiClient, path: string, options: OutputOptions & { continueOnError?: boolean }): Promise<void> {
  let checked: CheckedRow[];
  try {
    checked = rowsOf(path, await deps.readFile(path)).map(checkRow);
  } catch (error) {
    if (error instanceof BadFileError) throw new CliError(`${path}: ${error.message}`, EXIT.usage);
    throw error;
  }
  if (checked.length === 0) throw new CliError(`${path}: no pets in the file`, EXIT.usage);

  const report: ImportReport = { file: path, rows: checked.length, imported: [], failed: [], stopped: null };
  for (const row of checked) {
    if (!row.problems) continue;
    report.failed.push({ row: row.row, line: row.line, problems: row.problems });
    io.err(`${where(row)}: ${row.problems.join('; ')}`);
  }
  const valid = checked.filter((row): row is CheckedRow & { input: PetInput } => row.input !== undefined);
  if (report.failed.length > 0 && !options.continueOnError) {
    report.stopped = 'invalid rows';
    if (options.json) io.out(JSON.stringify(report, null, 2));
    throw new CliError(
      `${report.failed.length} of ${checked.length} rows are invalid (${report.failed.map((r) => r.row).join(', ')}); nothing was imported: ` +
        `fix them, or pass --continue-on-error to import the ${valid.length} valid rows`,
      EXIT.usage,
    );
  }

  const progress = progressLine(io, deps.progressStream);
  try {
    for (const [index, row] of valid.entries()) {
      progress.update(`importing ${path} ${bar(index, valid.length)}`);
      try {
        const pet = await answerOf(api.POST('/pets', { body: row.input }));
        report.imported.push({ row: row.row, line: row.line, id: pet.id, name: pet.name });
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        progress.clear();
        io.err(`${where(row)}: ${error.message}`);
        report.failed.push({ row: row.row, line: row.line, problems: [error.message] });
        // A refused token or an unreachable server would fail every row the same way: stop at once.
        if (!options.continueOnError || !rowSpecific(error)) {
          report.stopped = error.message;
          break;
        }
      }
    }
  } finally {
    progress.stop();
  }
  report.failed.sort((a, b) => a.row - b.row);

  render(io, options, report, (r) =>
    [`imported ${r.imported.length} of ${r.rows} pets from ${r.file}`, ...(r.imported.length ? [table(['row', 'pet', 'name'], r.imported.map((p) => [p.row, p.id, p.name]))] : [])].join('\n'),
  );
  const notImported = report.rows - report.imported.length;
  if (notImported > 0) {
    const imported = report.imported.length ? `; rows ${report.imported.map((r) => r.row).join(', ')} were imported, take them out of the file before running it again` : '';
    throw new CliError(`${notImported} of ${report.rows} rows were not imported${report.stopped ? ` (stopped: ${report.stopped})` : ''}${imported}`);
  }
}

/** `petstore pets`: the catalogue. */
export function petsCommand(io: Io, deps: Partial<CommandDeps> = {}): Command {
  const d = withDefaults(deps);
  const pets = new Command('pets')
    .description('the pet catalogue: list, show, add (one or a whole file), update, remove, restock; writes need an admin token')
    .addHelpText('after', '\nExample:\n  $ petstore pets list --species cat --status available\n  $ petstore --token "$(petstore auth token --role admin)" pets restock <id> 5');

  addPagingOptions(
    pets
      .command('list')
      .description('list pets')
      .option('--species <species>', 'only this species, e.g. cat')
      .addOption(new Option('--status <status>', 'only available or sold-out pets').choices(Object.values(PET_STATUS))),
    'pets',
  )
    .option('--json', 'print one JSON document: { items: Pet[], nextCursor }')
    .addHelpText('after', '\nExample:\n  $ petstore pets list --species dog --status available\n  $ petstore pets list --all --json > pets.json')
    .action(async (options: OutputOptions & PagingOptions & { species?: string; status?: PetStatus }, command: Command) => {
      const api = d.api(command);
      const progress = progressLine(io, d.progressStream, { spin: true });
      let page: Page<Pet>;
      try {
        page = await collectPages(
          ({ limit, cursor }) => answerOf(api.GET('/pets', { params: { query: { species: options.species, status: options.status, limit, cursor } } })),
          options,
          (fetched) => progress.update(`fetched ${fetched} pets`),
        );
      } finally {
        progress.stop();
      }
      render(io, options, page, (p) => petsTable(p.items));
      if (!options.json && page.nextCursor && io.interactive) io.err(`(more pets: pass --all or a larger --limit)`);
    });

  pets
    .command('get')
    .description('show one pet, with its version (what `pets update` checks)')
    .argument('<id>', 'the pet id', idParser('the pet id'))
    .option('--json', 'print the Pet as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore pets get 0b7c6a52-7f0e-4c55-9d57-3d2f1f0a1a11')
    .action(async (id: string, options: OutputOptions, command: Command) => {
      const pet = await answerOf(d.api(command).GET('/pets/{id}', petParams(id)));
      render(io, options, pet, (p) => petDetails(p, d.now()));
    });

  const add = pets
    .command('add')
    .description('add one pet from options, or many from a JSON or CSV file (--file)');
  for (const option of fieldOptions(false)) add.addOption(option);
  add
    .addOption(new Option('--file <path>', 'import every pet of a .json or .csv file instead').conflicts([...FIELD_OPTION_NAMES]))
    .option('--continue-on-error', 'with --file: import the valid rows even when others are invalid (exit 1 still reports them)')
    .option('--json', 'print the new Pet, or with --file the import report { file, rows, imported[], failed[], stopped }')
    .addHelpText(
      'after',
      '\nOne pet needs --name, --species, --stock and the price: --price in currency units (450.00) or --price-cents in cents (45000).\n\n' +
        'A file holds the same fields: JSON as an array of objects (or `pets list --json` output; id, status and version are ignored),\n' +
        'CSV with a header line name,species,breed,age,description,tags,price,priceCents,currency,stock (any subset in any order;\n' +
        'tags separated by ";"). Every row is checked first: one bad row and nothing is imported (exit 2) unless --continue-on-error.\n' +
        'Errors name the row (1 = the first pet; for CSV also the line).\n\n' +
        'Example:\n  $ petstore pets add --name Rex --species dog --breed beagle --price 450.00 --stock 3\n' +
        '  $ petstore pets add --name Tweety --species bird --price-cents 1999 --currency EUR --stock 10 --tags small,yellow\n' +
        '  $ petstore pets add --file pets.csv --continue-on-error',
    )
    .action(async (options: PetFieldOptions & OutputOptions & { file?: string; continueOnError?: boolean }, command: Command) => {
      if (options.file !== undefined) return importFile(io, d, d.api(command), options.file, options);
      if (options.continueOnError) throw new CliError('--continue-on-error goes with --file', EXIT.usage);
      const priceCents = priceOf(options);
      const missing = [
        options.name === undefined && '--name',
        options.species === undefined && '--species',
        priceCents === undefined && '--price (or --price-cents)',
        options.stock === undefined && '--stock',
      ].filter(Boolean);
      if (missing.length > 0) throw new CliError(`pets add needs ${missing.join(', ')} (or --file to import many)`, EXIT.usage);
      const input = assertValid({
        name: options.name!,
        species: options.species!,
        priceCents: priceCents!,
        stock: options.stock!,
        ...(options.breed ? { breed: options.breed } : {}),
        ...(options.age === undefined || options.age === '' ? {} : { age: options.age }),
        ...(options.description ? { description: options.description } : {}),
        ...(options.tags === undefined ? {} : { tags: options.tags }),
        ...(options.currency === undefined ? {} : { currency: options.currency }),
      });
      const pet = await answerOf(d.api(command).POST('/pets', { body: input }));
      render(io, options, pet, (p) => `added pet ${p.id}\n${petDetails(p, d.now())}`);
    });

  const update = pets
    .command('update')
    .description('change some fields of a pet: reads it, merges your changes and writes it back only if nobody changed it meanwhile')
    .argument('<id>', 'the pet id', idParser('the pet id'));
  for (const option of fieldOptions(true)) update.addOption(option);
  update
    .option('--json', 'print the updated Pet as one JSON document')
    .addHelpText(
      'after',
      '\nThe write carries If-Match with the version read: if the pet changed in between (an edit, an order reserving stock),\n' +
        'nothing is written and the command fails (exit 1); run it again to apply your change to the new version.\n\n' +
        'Example:\n  $ petstore pets update <id> --price 399.00 --tags senior,calm\n  $ petstore pets update <id> --breed ""   # removes the breed',
    )
    .action(async (id: string, options: PetFieldOptions & OutputOptions, command: Command) => {
      const changed = FIELD_OPTION_NAMES.filter((name) => options[name] !== undefined);
      if (changed.length === 0) throw new CliError('nothing to update: give at least one of --name, --species, --breed, --age, --description, --tags, --price, --price-cents, --currency, --stock', EXIT.usage);
      const api = d.api(command);
      const current = await answerOf(api.GET('/pets/{id}', petParams(id)));
      const priceCents = priceOf(options);
      const input = assertValid({
        ...inputOf(current),
        ...Object.fromEntries(changed.filter((name) => name !== 'price' && name !== 'priceCents').map((name) => [name, orNull(options[name])])),
        ...(priceCents === undefined ? {} : { priceCents }),
      });
      let pet: Pet;
      try {
        pet = await answerOf(api.PUT('/pets/{id}', { params: { path: { id }, header: { 'if-match': `"${current.version}"` } }, body: input }));
      } catch (error) {
        if (apiStatusOf(error) === 412) {
          throw new CliError(`pet ${id} changed after it was read (at version ${current.version}); nothing was written: run the command again to apply your change to the current version`);
        }
        throw error;
      }
      render(io, options, pet, (p) => `updated pet ${p.id} (version ${current.version} → ${p.version})\n${petDetails(p, d.now())}`);
    });

  pets
    .command('rm')
    .description('remove a pet from the catalogue (refused while orders hold reservations on it)')
    .argument('<id>', 'the pet id', idParser('the pet id'))
    .option('--yes', 'do not ask for confirmation (required when not on a terminal)')
    .option('--json', 'print { removed: id }')
    .addHelpText('after', '\nOn a terminal it asks first; in scripts pass --yes (without it the command refuses, exit 2).\n\nExample:\n  $ petstore pets rm <id>\n  $ petstore pets rm <id> --yes')
    .action(async (id: string, options: OutputOptions & { yes?: boolean }, command: Command) => {
      const api = d.api(command);
      if (!options.yes) {
        if (!io.interactive) throw new CliError(`refusing to remove pet ${id} without confirmation: not on a terminal, so pass --yes`, EXIT.usage);
        const pet = await answerOf(api.GET('/pets/{id}', petParams(id)));
        if (!(await d.confirm(`Remove pet ${pet.id} (${pet.name}, ${pet.species}, ${pet.stock} in stock) from the catalogue?`))) {
          throw new CliError(`pet ${id} was not removed`);
        }
      }
      await answerOf(api.DELETE('/pets/{id}', petParams(id)));
      render(io, options, { removed: id }, () => `removed pet ${id}`);
    });

  pets
    .command('restock')
    .description('add units to a pet\'s stock, atomically (safe while orders reserve stock)')
    .argument('<id>', 'the pet id', idParser('the pet id'))
    .argument('<quantity>', 'units to add, 1 to 100000', intParser('quantity', 1, 100_000))
    .option('--json', 'print the updated Pet as one JSON document')
    .addHelpText('after', '\nExample:\n  $ petstore pets restock <id> 5')
    .action(async (id: string, quantity: number, options: OutputOptions, command: Command) => {
      const pet = await answerOf(d.api(command).POST('/pets/{id}/restock', { ...petParams(id), body: { quantity } }));
      render(io, options, pet, (p) => `restocked pet ${p.id} (${p.name}) by ${quantity}: ${p.stock} in stock, ${p.status}`);
    });

  return pets;
}
