import type { Knex } from 'knex';
import type { RateLimitCounter } from '../api/ports';

// One statement per request: a fresh or expired row starts a new window at 1, a live one counts up.
const COUNT_SQL = `
  insert into edge.rate_limits as r (key, hits, window_ends_at)
  values (?, 1, now() + make_interval(secs => ?::double precision / 1000))
  on conflict (key) do update set
    hits = case when r.window_ends_at <= now() then 1 else r.hits + 1 end,
    window_ends_at = case when r.window_ends_at <= now() then excluded.window_ends_at else r.window_ends_at end
  returning hits, greatest(0, ceil(extract(epoch from (window_ends_at - now())) * 1000))::bigint as ttl_ms`;

/** How often, at most, a replica deletes the rows whose window has ended (one indexed delete). */
const PRUNE_EVERY_MS = 60_000;

/** The shared request budgets in edge.rate_limits (RATE_LIMIT_STORE=postgres): every API replica counts on the same rows. */
export function postgresRateLimitCounter(db: Knex): RateLimitCounter {
  let prunedAt = 0;
  return {
    async hit(key, windowMs) {
      const { rows } = await db.raw<{ rows: { hits: number; ttl_ms: string }[] }>(COUNT_SQL, [key, windowMs]);
      const row = rows[0]!;
      if (Date.now() - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = Date.now();
        // Not awaited by the request; a failed prune is retried on the next window.
        void db.raw('delete from edge.rate_limits where window_ends_at < now()').catch(() => (prunedAt = 0));
      }
      return { hits: Number(row.hits), ttlMs: Number(row.ttl_ms) };
    },
  };
}
