import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../lib/config';

/** A TRUSTED_PROXIES entry Node's BlockList cannot read. */
export class TrustedProxyError extends Error {
  override name = 'TrustedProxyError';
}

/** TRUSTED_PROXIES as a BlockList (addresses and CIDRs, IPv4 and IPv6); an entry that is neither stops the process. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : isIP(address) === 4 ? 'ipv4' : undefined;
    if (!family || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) throw new TrustedProxyError(`TRUSTED_PROXIES: "${entry}" is not an address or a CIDR`);
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

/**
 * Whether the request came straight from a trusted proxy (the socket's peer, never a forwarded header):
 * only then is its traceparent continued. With no TRUSTED_PROXIES nobody is trusted.
 */
export function trustedPeer(config: Config): (request: FastifyRequest) => boolean {
  const entries = config.http.trustedProxies ?? [];
  if (entries.length === 0) return () => false;
  const list = trustedProxyList(entries);
  return (request) => {
    const peer = request.socket.remoteAddress?.replace(/^::ffff:/, '');
    return peer !== undefined && list.check(peer, isIP(peer) === 6 ? 'ipv6' : 'ipv4');
  };
}

/** Fastify's trustProxy: behind the listed proxies, request.ip is the client X-Forwarded-For names (rate limits key on it). */
export function trustProxyOption(config: Config): { trustProxy?: string } {
  const entries = config.http.trustedProxies ?? [];
  if (entries.length === 0) return {};
  trustedProxyList(entries);
  return { trustProxy: entries.join(',') };
}
