import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Config } from './config';
import { temporalCodecKeys } from './keyring';
import { EncryptionCodec } from './payload-codec';
import { temporalClientInterceptors } from './tracing';

/** What both the client's Connection and the worker's NativeConnection take to reach the frontend. */
export interface TemporalConnectionOptions {
  address: string;
  /** false rather than absent: the SDK would otherwise switch TLS on by itself when an API key is set. */
  tls: TLSConfig | false;
  apiKey?: string;
  metadata?: Record<string, string>;
}

/** Address, TLS or mTLS, and API key from config; certificate files are read here. */
export function temporalConnectionOptions(config: Config, read: (path: string) => Buffer = (path) => readFileSync(path)): TemporalConnectionOptions {
  const { address, namespace, tls, apiKey } = config.temporal;
  return {
    address,
    tls: tls.enabled
      ? {
          ...(tls.serverName ? { serverNameOverride: tls.serverName } : {}),
          ...(tls.caFile ? { serverRootCACertificate: read(tls.caFile) } : {}),
          ...(tls.certFile && tls.keyFile ? { clientCertPair: { crt: read(tls.certFile), key: read(tls.keyFile) } } : {}),
        }
      : false,
    // Temporal Cloud's regional endpoints route API-key requests by this header.
    ...(apiKey ? { apiKey, metadata: { 'temporal-namespace': namespace } } : {}),
  };
}

/** The one place a Temporal client connection is made, so TLS and API keys are configured once. */
export function connectTemporal(config: Config, { connectTimeoutMs = 5000 }: { connectTimeoutMs?: number } = {}): Promise<Connection> {
  return Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: connectTimeoutMs });
}

/** The Temporal UI page of one workflow, as printed in API responses, CLI output and logs. */
export function temporalUiLink(config: Config, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The payload codec every client and worker uses: payloads are encrypted before they leave the process. */
export const temporalPayloadCodec = (config: Config): EncryptionCodec => new EncryptionCodec(temporalCodecKeys(config));

/** The data converter of every petstore client and worker (the default payload converter, then the encryption codec). */
export const temporalDataConverter = (config: Config): DataConverter => ({ payloadCodecs: [temporalPayloadCodec(config)] });

/** A Temporal client on its own connection; close it with `client.connection.close()`. */
export async function createTemporalClient(config: Config): Promise<Client> {
  return new Client({
    connection: await connectTemporal(config),
    namespace: config.temporal.namespace,
    interceptors: temporalClientInterceptors(),
    dataConverter: temporalDataConverter(config),
  });
}
