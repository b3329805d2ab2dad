import { Client, Connection } from '@temporalio/client';
import type { Config } from './config';

/** The one place a Temporal client connection is made, so TLS and API keys are configured once. */
export function connectTemporal(config: Config, { connectTimeoutMs = 5000 }: { connectTimeoutMs?: number } = {}): Promise<Connection> {
  return Connection.connect({ address: config.temporal.address, connectTimeout: connectTimeoutMs });
}

/** The Temporal UI page of one workflow, as printed in API responses, CLI output and logs. */
export function temporalUiLink(config: Config, workflowId: string): string {
  return `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A Temporal client on its own connection; close it with `client.connection.close()`. */
export async function createTemporalClient(config: Config): Promise<Client> {
  return new Client({ connection: await connectTemporal(config), namespace: config.temporal.namespace });
}
