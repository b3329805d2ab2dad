import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent } from 'undici';

// Where a webhook may go. A customer's URL must not reach inside: not this host, not the private
// network, not a cloud's metadata service. Checked twice: the URL when it is used (a literal address,
// which the socket would connect to without a lookup), and every address a host name resolves to,
// inside the connection's own lookup, so the address checked is the address connected to (no second
// resolution for DNS rebinding to answer differently).

/** What the policy lets through besides public unicast addresses. */
export interface WebhookPolicy {
  /** Loopback endpoints, and plain http to them (the local stack). */
  allowLoopback: boolean;
  /** Loopback and nothing else, named by a literal address or `localhost` (no DNS lookup at all): test rigs. */
  onlyLoopback?: boolean;
}

/** A URL or address the policy refuses: the delivery fails at once, without retries. */
export class WebhookPolicyError extends Error {
  override name = 'WebhookPolicyError';
}

// Cloud metadata services that sit outside the ranges refused anyway (169.254.169.254 is link-local,
// fd00:ec2::254 unique-local, Alibaba's 100.100.100.200 carrier-grade NAT): named so none slips through.
const METADATA = ['169.254.169.254', '169.254.170.2', '192.0.0.192', '100.100.100.200', 'fd00:ec2::254'].map((a) => ipaddr.parse(a).toNormalizedString());

/** Why an IP address is refused, or undefined when a webhook may connect to it. IPv4-mapped IPv6 counts as its IPv4 address. */
export function refusedAddress(address: string, policy: WebhookPolicy): string | undefined {
  if (!ipaddr.isValid(address)) return `"${address}" is not an IP address`;
  const ip = ipaddr.process(address);
  if (METADATA.includes(ip.toNormalizedString())) return 'a cloud metadata address';
  const range = ip.range();
  if (policy.onlyLoopback && range !== 'loopback') return 'an address other than loopback (WEBHOOK_ALLOW_LOOPBACK=only)';
  if (range === 'unicast') return undefined;
  if (range === 'loopback' && policy.allowLoopback) return undefined;
  return `a ${range} address`;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The URL a webhook may be POSTed to, or a WebhookPolicyError: https only (http to loopback when
 * allowed), no user or password in it, and no refused literal address. WHATWG parsing has already
 * turned http://2130706433 and http://0x7f.1 into 127.0.0.1, so every spelling of an address is caught.
 */
export function checkWebhookUrl(raw: string, policy: WebhookPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WebhookPolicyError('the webhook URL is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new WebhookPolicyError(`webhook URLs must be https, not ${url.protocol.replace(/:$/, '')}`);
  if (url.username || url.password) throw new WebhookPolicyError('webhook URLs must not carry credentials (user or password)');
  const host = hostOf(url);
  if (policy.onlyLoopback && host !== 'localhost' && !ipaddr.isValid(host)) throw new WebhookPolicyError('webhook URLs must name a loopback address or localhost (WEBHOOK_ALLOW_LOOPBACK=only)');
  if (ipaddr.isValid(host)) {
    const refused = refusedAddress(host, policy);
    if (refused) throw new WebhookPolicyError(`the webhook URL points at ${refused}`);
  }
  if (url.protocol === 'http:') {
    const loopback = host === 'localhost' || (ipaddr.isValid(host) && ipaddr.process(host).range() === 'loopback');
    if (!policy.allowLoopback || !loopback) throw new WebhookPolicyError('webhook URLs must be https (plain http only to loopback, with WEBHOOK_ALLOW_LOOPBACK=on)');
  }
  return url;
}

/** Resolves a host name to all its addresses (dns.lookup's, as the socket would); tests pass their own. */
export type Resolver = (hostname: string, family: number) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname, family) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true, family: family as 0 | 4 | 6 }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

/**
 * A `lookup` for net/tls.connect that refuses the connection when any address the name resolves to is
 * refused (a name that answers with one public and one private address is not trusted either).
 * `onlyLoopback` is for plain http: there, nothing but loopback will do.
 */
export function guardedLookup(policy: WebhookPolicy, { onlyLoopback = false, resolver = systemResolver }: { onlyLoopback?: boolean; resolver?: Resolver } = {}): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname, typeof options.family === 'number' ? options.family : 0).then(
      (addresses) => {
        const refused = addresses.length === 0 ? 'no address' : addresses.map((a) => refusedAddress(a.address, policy)).find((reason) => reason !== undefined);
        const notLoopback = onlyLoopback && addresses.some((a) => ipaddr.process(a.address).range() !== 'loopback');
        if (refused || notLoopback) {
          const error = new WebhookPolicyError(`the webhook host resolves to ${refused ?? 'an address other than loopback (plain http)'}`);
          return callback(error, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const first = addresses[0]!;
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

/** The HTTP connection pools webhooks go through: every connection's address passes the policy; https and http (loopback only) apart. */
export function webhookAgents(policy: WebhookPolicy, { timeoutMs }: { timeoutMs: number }): { https: Agent; http: Agent } {
  const agent = (onlyLoopback: boolean) =>
    new Agent({ connect: { lookup: guardedLookup(policy, { onlyLoopback }), timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connections: 4 });
  return { https: agent(false), http: agent(true) };
}
