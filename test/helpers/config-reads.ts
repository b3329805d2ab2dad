import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../lib/config';

// lib/config.ts is the one reader of the environment; these are read off its source, so a deployment
// file that sets a name the code does not read (a typo, a setting since renamed) fails its test.
const source = readFileSync(join(projectRoot, 'lib', 'config.ts'), 'utf8');

/** Every environment variable lib/config.ts reads: `(env, 'NAME'` as its readers take it, `env.NAME` and `env['NAME']`. */
export const CONFIG_READS: ReadonlySet<string> = new Set(
  [...source.matchAll(/\(env, '([A-Z][A-Z0-9_]+)'|\benv\.([A-Z][A-Z0-9_]+)|\benv\['([A-Z][A-Z0-9_]+)'\]/g)].map((m) => m[1] ?? m[2] ?? m[3]!),
);

/** The variables that carry a secret: those read with secretFrom, the JWT secret, and the URLs that hold a password. */
export const SECRET_VARS: ReadonlySet<string> = new Set([...[...source.matchAll(/secretFrom\(env, '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!), 'JWT_SECRET', 'DATABASE_URL', 'SMTP_URL']);
