// Where a request came from. The custom server (server.ts) writes the socket's
// address into CLIENT_IP_HEADER and removes any value a client sent, so this is
// trustworthy; X-Forwarded-For is used only when HOSTDECK_TRUST_PROXY=1.
export const CLIENT_IP_HEADER = 'x-hostdeck-client-ip';
export const CLIENT_PROTO_HEADER = 'x-hostdeck-client-proto';

type HeaderReader = { get(name: string): string | null };

export function clientIp(headers: HeaderReader): string | null {
  return headers.get(CLIENT_IP_HEADER);
}

export function isSecureRequest(headers: HeaderReader): boolean {
  if (process.env.HOSTDECK_SECURE_COOKIES === '1') return true;
  if (process.env.HOSTDECK_SECURE_COOKIES === '0') return false;
  return headers.get(CLIENT_PROTO_HEADER) === 'https';
}

export function userAgent(headers: HeaderReader): string | null {
  return headers.get('user-agent');
}
