import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, type Config } from '../lib/config';
import { run, versionOf } from '../lib/exec';
import { PrerequisiteError, type Progress } from './part';

/** Kept in step with stack/kafka/pom.xml. */
export const KAFKA_VERSION = '3.9.1';

const POM = join(projectRoot, 'stack', 'kafka', 'pom.xml');

/** Java's major version from `java -version`, or undefined when there is no java. */
export function javaMajor(): number | undefined {
  const line = versionOf('java', ['-version']);
  const match = line?.match(/version "(\d+)(?:\.(\d+))?/);
  if (!match) return undefined;
  // Java 8 and older report "1.8.0_…".
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** The folder of the cached jars: the broker's and the command-line tools' one classpath. */
export function kafkaLibs(config: Config): string {
  return join(config.cacheDir, `kafka-${KAFKA_VERSION}`, 'libs');
}

// The cache is complete for this pom.xml alone: a dependency added to it (as kafka-tools was) fetches again.
const pomDigest = (): string => createHash('sha256').update(readFileSync(POM)).digest('hex').slice(0, 16);
const MARKER = '.complete';

/** True when the cached jars are those stack/kafka/pom.xml names. */
export function kafkaJarsCached(config: Config): boolean {
  const marker = join(kafkaLibs(config), MARKER);
  return existsSync(marker) && readFileSync(marker, 'utf8').trim() === `${KAFKA_VERSION} ${pomDigest()}`;
}

/**
 * Fetches the jars of stack/kafka/pom.xml from Maven Central into the download cache (once; Java 17
 * and Maven needed) and returns the classpath. A staging folder is renamed into place when complete,
 * so an interrupted fetch never leaves a half classpath.
 */
export async function ensureKafkaJars(config: Config, progress: Progress): Promise<string> {
  const libs = kafkaLibs(config);
  const classpath = `${libs}/*`;
  const major = javaMajor();
  if (major === undefined || major < 17) {
    throw new PrerequisiteError(`Java 17+ is needed for the local Kafka broker and Kafka's tools (found ${major ?? 'no java on PATH'}); install it (apt-get install openjdk-17-jre-headless) or set KAFKA_BROKERS.`);
  }
  if (kafkaJarsCached(config)) return classpath;
  if (!versionOf('mvn', ['-v'])) {
    throw new PrerequisiteError('Maven is needed once to fetch the Kafka jars from Maven Central; install it (apt-get install maven) or set KAFKA_BROKERS.');
  }
  progress(`kafka: fetching Apache Kafka ${KAFKA_VERSION} jars with Maven into ${libs} (first run only)`);
  const staging = `${libs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await run('mvn', ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${staging}`]);
  writeFileSync(join(staging, MARKER), `${KAFKA_VERSION} ${pomDigest()}\n`);
  rmSync(libs, { recursive: true, force: true });
  renameSync(staging, libs);
  return classpath;
}
