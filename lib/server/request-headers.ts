// What the custom server tells the app about each request: the client's address,
// scheme and path, in headers a client cannot forge (any it sent are replaced).
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { CLIENT_IP_HEADER, CLIENT_PROTO_HEADER, MAX_CLIENT_IP_LENGTH } from '@/lib/auth/request-meta';

export const PATH_HEADER = 'x-hostdeck-path';

/** How far X-Forwarded-For is believed: off, or the number of proxies of ours in front of the app. */
export type ProxyTrust = { trustProxy: boolean; trustedHops: number };

export const MAX_TRUSTED_HOPS = 10;

/** HOSTDECK_TRUST_PROXY=1 and HOSTDECK_TRUSTED_HOPS (default 1); a bad hop count stops the server. */
export function proxyTrustFromEnv(env: Record<string, string | undefined> = process.env): ProxyTrust {
  const trustProxy = env.HOSTDECK_TRUST_PROXY === '1';
  const raw = env.HOSTDECK_TRUSTED_HOPS?.trim();
  if (raw === undefined || raw === '') return { trustProxy, trustedHops: 1 };
  const hops = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(hops) || hops < 1 || hops > MAX_TRUSTED_HOPS) {
    throw new Error(`HOSTDECK_TRUSTED_HOPS must be a whole number from 1 to ${MAX_TRUSTED_HOPS}, got "${raw}"`);
  }
  return { trustProxy, trustedHops: hops };
}

/**
 * One address as a proxy or socket writes it, normalised ("::ffff:192.0.2.1" →
 * "192.0.2.1", "[2001:db8::1]:443" → "2001:db8::1", "192.0.2.1:5000" →
 * "192.0.2.1"), or null when it is not an IP address.
 */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let ip = value.trim();
  if (ip.length === 0 || ip.length > MAX_CLIENT_IP_LENGTH) return null;
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(ip);
  if (bracketed) ip = bracketed[1]!;
  else if (/^[\d.]+:\d{1,5}$/.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(ip)) ip = ip.slice(7);
  if (ip.includes('%')) return null; // zone ids name an interface of the proxy, never a client
  return isIP(ip) ? ip.toLowerCase() : null;
}

/**
 * The client's address from X-Forwarded-For when `trustedHops` proxies of ours
 * stand in front of the app: each appends the address it received the request
 * from, so the entry `trustedHops` from the right is the last one a proxy of ours
 * wrote; everything left of it came from the client and may be forged. Null when
 * the header has fewer entries or that entry is not an IP address (the caller
 * then uses the socket's address).
 */
export function clientIpFromForwardedFor(header: string | string[] | undefined, trustedHops: number): string | null {
  if (header === undefined || trustedHops < 1) return null;
  const joined = Array.isArray(header) ? header.join(',') : header;
  // Only the rightmost entries matter; a huge header is not split in full.
  const tail = joined.length > 4096 ? joined.slice(-4096) : joined;
  const entries = tail.split(',').map((entry) => entry.trim());
  if (entries.length < trustedHops) return null;
  return normalizeIp(entries[entries.length - trustedHops]);
}

/** The scheme the nearest proxy saw (the rightmost X-Forwarded-Proto entry), if it is http or https. */
export function protoFromForwardedProto(header: string | string[] | undefined): 'http' | 'https' | null {
  if (header === undefined) return null;
  const joined = Array.isArray(header) ? header.join(',') : header;
  const last = joined.slice(-64).split(',').pop()?.trim().toLowerCase();
  return last === 'http' || last === 'https' ? last : null;
}

export function stampRequest(req: IncomingMessage, trust: ProxyTrust): void {
  const forwardedFor = trust.trustProxy ? clientIpFromForwardedFor(req.headers['x-forwarded-for'], trust.trustedHops) : null;
  const forwardedProto = trust.trustProxy ? protoFromForwardedProto(req.headers['x-forwarded-proto']) : null;
  const socketAddress = normalizeIp(req.socket.remoteAddress) ?? '';
  req.headers[CLIENT_IP_HEADER] = forwardedFor ?? socketAddress;
  req.headers[CLIENT_PROTO_HEADER] = forwardedProto ?? ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http');
  req.headers[PATH_HEADER] = (req.url ?? '/').slice(0, 2048);
}
