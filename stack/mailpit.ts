import { existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Config } from '../lib/config';
import { run, versionOf } from '../lib/exec';
import { waitFor } from '../lib/wait';
import { daemon } from './daemon';
import { PrerequisiteError, type Progress, type StackPart } from './part';

/** The Mailpit release we build: the local mail catcher (SMTP in, web UI and API out). */
export const MAILPIT_VERSION = '1.33.1';

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The `mailpit` binary: PATH, else the cache, built there with `go install` on first use (a few minutes). */
export async function ensureMailpit(config: Config, progress: Progress): Promise<string> {
  const fromPath = onPath('mailpit');
  if (fromPath) return fromPath;
  const bin = join(config.cacheDir, `mailpit-${MAILPIT_VERSION}`, 'bin');
  const cached = join(bin, 'mailpit');
  if (existsSync(cached)) return cached;
  if (!versionOf('go', ['version'])) {
    throw new PrerequisiteError('Mailpit (the local mail catcher) is built with Go: install Go, put `mailpit` on PATH, or set SMTP_URL to an existing SMTP server.');
  }
  progress(`mailpit: building Mailpit ${MAILPIT_VERSION} with go install into ${bin} (first run only, a few minutes)`);
  // GOBIN receives the binary only when the build succeeded, so a broken build leaves no half a binary.
  await run('go', ['install', `github.com/axllent/mailpit@v${MAILPIT_VERSION}`], { env: { ...process.env, GOBIN: bin, GOFLAGS: '-trimpath' } });
  if (!existsSync(cached)) throw new Error(`go install of Mailpit ${MAILPIT_VERSION} left no ${cached}`);
  return cached;
}

/** Mailpit: SMTP on one local port, its web UI and API on another; or SMTP_URL, a server the stack leaves alone. */
export function mailpitPart(config: Config, progress: Progress): StackPart {
  const { external, smtpUrl, smtpPort, uiPort, uiUrl } = config.notifications.mail;
  const home = join(config.dataDir, 'mailpit');
  const dbFile = join(home, 'mailpit.db');
  const server = (binary = 'mailpit') =>
    daemon({
      name: 'mailpit',
      command: binary,
      args: [
        '--smtp',
        `127.0.0.1:${smtpPort}`,
        '--listen',
        `127.0.0.1:${uiPort}`,
        '--database',
        dbFile,
        // Nothing leaves the machine: no update check, no reverse DNS of senders, no remote CSS or fonts.
        '--disable-version-check',
        '--smtp-disable-rdns',
        '--block-remote-css-and-fonts',
        // A catcher: any SMTP login is fine, also over plain text.
        '--smtp-auth-accept-any',
        '--smtp-auth-allow-insecure',
        '--quiet',
      ],
      runDir: join(config.dataDir, 'run'),
      marker: dbFile,
    });

  const answers = () =>
    fetch(`${uiUrl}/api/v1/info`, { signal: AbortSignal.timeout(2000) })
      .then((res) => res.ok)
      .catch(() => false);
  const smtp = new URL(smtpUrl);
  const smtpAddress = { host: smtp.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(smtp.port || (smtp.protocol === 'smtps:' ? 465 : 587)) };
  // An external server is only asked whether it takes TCP connections: no SMTP session, no login.
  const smtpListens = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(smtpAddress, () => {
        socket.destroy();
        resolve(true);
      });
      socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
      socket.on('error', () => resolve(false));
    });

  return {
    name: 'mailpit',
    async provision() {
      if (!external) await ensureMailpit(config, progress);
    },
    async start() {
      if (external) {
        await waitFor(`SMTP server at ${smtpAddress.host}:${smtpAddress.port}`, smtpListens, { timeoutMs: 30_000 });
        return 'external';
      }
      const tracked = server();
      if (tracked.pid() !== undefined && (await answers())) return 'reused';
      if (tracked.pid() === undefined) {
        if (await answers()) throw new PrerequisiteError(`Port ${uiPort} is taken by a Mailpit the stack did not start; stop it, or set PETSTORE_MAILPIT_UI_PORT.`);
        mkdirSync(home, { recursive: true });
        server(await ensureMailpit(config, progress)).start();
      }
      await waitFor(`Mailpit at ${uiUrl}`, answers, { timeoutMs: 30_000, hint: () => `log ${tracked.logFile}:\n${tracked.tail()}` });
      return 'started';
    },
    async status() {
      if (external) return { up: await smtpListens(), endpoint: `${smtpAddress.host}:${smtpAddress.port}`, external };
      const pid = server().pid();
      return { up: await answers(), endpoint: `127.0.0.1:${smtpPort}`, pid, external, links: { ui: uiUrl }, log: server().logFile };
    },
    stop: () => (external ? Promise.resolve(false) : server().stop(10_000)),
  };
}
