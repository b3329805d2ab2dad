import { isTransient } from '../../lib/transient';

const withCode = (code: unknown, message = 'failed') => Object.assign(new Error(message), { code });

describe('isTransient: a dependency away, or the message at fault', () => {
  it.each([
    ['Postgres shutting down (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['Postgres starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['a connection exception (08006)', withCode('08006')],
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['a connection that died mid-query', new Error('Connection terminated unexpectedly')],
    ['no pool connection in time', Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })],
    ['Temporal unreachable, as the cause of a client error', new Error('Failed to signal', { cause: withCode(14, '14 UNAVAILABLE: No connection established') })],
  ])('waits out %s', (_, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ['a plain handler bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a constraint violation (23505)', withCode('23505', 'duplicate key value violates unique constraint')],
    ['an invalid value (22P02)', withCode('22P02', 'invalid input syntax for type uuid')],
    ['a gRPC NOT_FOUND', withCode(5, '5 NOT_FOUND: workflow not found')],
    ['something that is not an error', 'boom'],
    ['nothing', undefined],
  ])('counts %s against the message', (_, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it('survives a cause chain that loops', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(isTransient(a)).toBe(false);
  });
});
