// Keyset cursors: a cursor keeps the row's exact time (microseconds, as Postgres has it), and a cursor the
// API did not write is a 422 before any SQL, never a Postgres error (a 500).
import knex from 'knex';
import { UnprocessableError } from '../../lib/errors';
import { encodeCursor, pageQuery, toPage } from '../../services/paging';

const db = knex({ client: 'pg' });
const page = (cursor: string) => pageQuery(db('pets').select('*'), { limit: 20, cursor, direction: 'asc' });
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ID = '2b1e0a4e-54f5-4c47-9d0c-5f0a5f3a2f11';

afterAll(() => db.destroy());

describe('keyset cursors', () => {
  it('reads back the position encodeCursor wrote', () => {
    const { bindings } = page(encodeCursor(new Date('2026-11-24T10:00:00.123Z'), ID)).toSQL();
    expect(bindings).toEqual(expect.arrayContaining(['2026-11-24T10:00:00.123Z', ID]));
  });

  it('pages from the last row\'s exact time, not the millisecond a Date rounds it to', () => {
    expect(page(encodeCursor(new Date(0), ID)).toSQL().sql).toContain('as page_key_at');
    const rows = [0, 1, 2].map((i) => ({ id: `${ID.slice(0, -1)}${i}`, created_at: new Date('2026-11-24T10:00:00.123Z'), page_key_at: '2026-11-24T10:00:00.123456Z' }));
    const { items, nextCursor } = toPage(rows, 2, (row) => row.id);
    expect(items).toHaveLength(2);
    expect(page(nextCursor!).toSQL().bindings).toEqual(expect.arrayContaining(['2026-11-24T10:00:00.123456Z', rows[1]!.id]));
  });

  it.each([
    ['not base64url JSON', '0'],
    ['JSON of another shape', cursorOf({ at: '2026-11-24T10:00:00.000Z', id: ID })],
    ['a date Date.parse takes and Postgres does not', cursorOf(['1', ID])],
    ['a date in another spelling', cursorOf(['Tue, 24 Nov 2026 10:00:00 GMT', ID])],
    ['a day the month does not have', cursorOf(['2026-02-30T10:00:00.000Z', ID])],
    ['the year 0, which Postgres does not have', cursorOf(['0000-01-01T00:00:00.000000Z', ID])],
    ['an id that is no uuid', cursorOf(['2026-11-24T10:00:00.000Z', 'x'])],
    ['an id with a NUL', cursorOf(['2026-11-24T10:00:00.000Z', `${ID}\u0000`])],
  ])('refuses %s with UnprocessableError', (_name, cursor) => {
    expect(() => page(cursor)).toThrow(UnprocessableError);
  });
});
