import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { Config } from '../lib/config';

/** What a pg client needs to reach the database: the URL and the TLS options node-postgres takes. */
export interface PgConnection {
  connectionString: string;
  ssl: false | ConnectionOptions;
}

// node-postgres lets TLS parameters in the URL override the ssl option; config has already read them.
const URL_SSL_PARAMS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

function withoutSslParams(url: string): string {
  try {
    const parsed = new URL(url);
    if (!URL_SSL_PARAMS.some((name) => parsed.searchParams.has(name))) return url;
    for (const name of URL_SSL_PARAMS) parsed.searchParams.delete(name);
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * The connection every pg client of petstore uses (knex's pool, the relay's LISTEN and lock
 * connections, the stack's probes), so TLS is set in one place; certificate files are read here.
 */
export function pgConnection(config: Config, read: (path: string) => Buffer = (path) => readFileSync(path)): PgConnection {
  const { url, ssl } = config.postgres;
  const connectionString = withoutSslParams(url);
  if (ssl.mode === 'off') return { connectionString, ssl: false };
  const options: ConnectionOptions = {
    // libpq's require encrypts without checking the certificate; the verify modes check it.
    rejectUnauthorized: ssl.mode !== 'require',
    ...(ssl.caFile ? { ca: read(ssl.caFile) } : {}),
    ...(ssl.certFile && ssl.keyFile ? { cert: read(ssl.certFile), key: read(ssl.keyFile) } : {}),
    // verify-ca trusts any certificate the CA signed, whatever host name it carries.
    ...(ssl.mode === 'verify-ca' ? { checkServerIdentity: () => undefined } : {}),
  };
  return { connectionString, ssl: options };
}
