import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * A secret kept in `<dir>/<name>` (mode 0600), made by `make` the first time. Creation is atomic: the
 * draft is linked into place, and link() fails when the file exists, so concurrent processes agree.
 */
export function secretFile(dir: string, name: string, make: () => string): string {
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    writeFileSync(draft, make(), { mode: 0o600, flag: 'wx' });
    linkSync(draft, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  return readFileSync(file, 'utf8').trim();
}
