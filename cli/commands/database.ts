import { Command } from 'commander';
import { createDb } from '../../db/knex';
import { migrateDownAll, migrateLatest } from '../../db/migrate';
import { seedPets } from '../../db/seeds/pets';
import { loadConfig } from '../../lib/config';
import { CliError, EXIT } from '../errors';
import { render, type Io } from '../output';

async function withDb<T>(fn: (db: ReturnType<typeof createDb>) => Promise<T>): Promise<T> {
  const db = createDb(loadConfig(), { poolMax: 2 });
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}

/** `petstore migrate`: apply (or, with --down, roll back) the database migrations. */
export function migrateCommand(io: Io): Command {
  return new Command('migrate')
    .description('apply the database migrations (one schema per service); services also migrate on start')
    .option('--down', 'roll back every migration (drops the services\' tables)')
    .option('--yes', 'confirm --down')
    .option('--json', 'print the migrations applied or rolled back as JSON')
    .addHelpText('after', '\nExample:\n  $ DATABASE_URL=postgres://app@db/petstore petstore migrate')
    .action(async (options: { down?: boolean; yes?: boolean; json?: boolean }) => {
      if (options.down && !options.yes) throw new CliError('--down drops every table of petstore; add --yes to confirm', EXIT.usage);
      const names = await withDb((db) => (options.down ? migrateDownAll(db) : migrateLatest(db)));
      const verb = options.down ? 'rolled back' : 'applied';
      render(io, options, { [verb]: names }, () => (names.length ? `${verb}: ${names.join(', ')}` : 'the database is up to date'));
    });
}

/** `petstore seed`: add the demo pet catalogue (safe to run twice). */
export function seedCommand(io: Io): Command {
  return new Command('seed')
    .description('add the demo pet catalogue; pets already there are left alone, so it can run any number of times')
    .option('--json', 'print the number of pets added as JSON')
    .addHelpText('after', '\nExample:\n  $ petstore seed')
    .action(async (options: { json?: boolean }) => {
      const added = await withDb(async (db) => {
        await migrateLatest(db);
        return seedPets(db);
      });
      render(io, options, { added }, () => `added ${added} pet(s) to the catalogue`);
    });
}
