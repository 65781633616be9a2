// Where a request came from. The custom server (server.ts) writes the client's
// address into CLIENT_IP_HEADER and removes any value a client sent, so this is
// trustworthy; X-Forwarded-For is used only when HOSTDECK_TRUST_PROXY=1, and then
// only the entry our own proxy wrote (lib/server/request-headers.ts).
export const CLIENT_IP_HEADER = 'x-hostdeck-client-ip';
export const CLIENT_PROTO_HEADER = 'x-hostdeck-client-proto';
/** Longest address kept (the audit log's and sessions' ip columns are VarChar(64)). */
export const MAX_CLIENT_IP_LENGTH = 64;

type HeaderReader = { get(name: string): string | null };

export function clientIp(headers: HeaderReader): string | null {
  return headers.get(CLIENT_IP_HEADER)?.slice(0, MAX_CLIENT_IP_LENGTH) || null;
}

export function isSecureRequest(headers: HeaderReader): boolean {
  if (process.env.HOSTDECK_SECURE_COOKIES === '1') return true;
  if (process.env.HOSTDECK_SECURE_COOKIES === '0') return false;
  return headers.get(CLIENT_PROTO_HEADER) === 'https';
}

export function userAgent(headers: HeaderReader): string | null {
  return headers.get('user-agent');
}
