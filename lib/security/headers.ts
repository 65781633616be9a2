// The security headers of every answer, and the Content-Security-Policy with a
// fresh nonce per request. Next.js reads the nonce from the request's
// Content-Security-Policy header while rendering and puts it on its own
// scripts and inline styles; next-themes and the diff viewer get it from the
// root layout (see lib/security/nonce.ts).
import { randomBytes } from 'node:crypto';

export type SecurityHeaderOptions = {
  nonce: string;
  /** Development (next dev): React needs eval for its error overlay and styles arrive without nonces. */
  dev?: boolean;
  /** The request came over HTTPS (see lib/auth/request-meta.ts isSecureRequest): HSTS, upgrade-insecure-requests. */
  secure?: boolean;
  /** The request's Host header, for the console WebSocket's connect-src; ignored unless it looks like a host. */
  host?: string | null;
};

export const HSTS_VALUE = 'max-age=31536000';
/** Request header in which server.ts hands the nonce to the root layout. */
export const NONCE_HEADER = 'x-nonce';

/** 144 random bits in base64, the character set Next.js accepts in a CSP nonce. */
export function newNonce(): string {
  return randomBytes(18).toString('base64');
}

const HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

function socketSources(host: string | null | undefined, secure: boolean): string {
  if (!host || !HOST_PATTERN.test(host)) return '';
  return secure ? ` wss://${host}` : ` ws://${host} wss://${host}`;
}

export function contentSecurityPolicy({ nonce, dev = false, secure = false, host }: SecurityHeaderOptions): string {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(nonce)) throw new Error('A CSP nonce must be base64');
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // <style> elements need the nonce (Next's and next-themes' carry it); style
    // attributes (shiki's token colours, React style props) cannot carry one.
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${socketSources(host, secure)}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(secure ? ['upgrade-insecure-requests'] : []),
  ];
  return directives.join('; ');
}

/** Every header Hostdeck adds to an answer, CSP included. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // Not no-referrer: with it, browsers send "Origin: null" on same-origin
    // form posts and fetches, which the CSRF checks then refuse.
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(options.secure ? { 'Strict-Transport-Security': HSTS_VALUE } : {}),
  };
}
