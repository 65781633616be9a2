// What server.ts does to every request before Next.js sees it: security
// headers with a fresh CSP nonce, 413 for a declared body over the cap, 403 for
// a write with "Origin: null" — both as the API's JSON error shape — and a
// bounded drain of any body left unread once the answer is sent.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSecureRequest } from '@/lib/auth/request-meta';
import { declaredLengthExceeds, formatBytes } from '@/lib/security/body-limit';
import { NONCE_HEADER, newNonce, securityHeaders } from '@/lib/security/headers';

/** How long an unread request body is drained after the answer before the connection is dropped. */
export const DRAIN_MS = 10_000;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export type GateOptions = { maxBodyBytes: number; dev: boolean };

function headerReader(req: IncomingMessage) {
  return {
    get: (name: string) => {
      const v = req.headers[name.toLowerCase()];
      return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
    },
  };
}

function sendError(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}

/** After the answer, read and discard what is left of the body for a while, then drop the connection. */
function drainAfterAnswer(req: IncomingMessage) {
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.socket.once('close', () => clearTimeout(timer));
  // A handler may have read part of the body and stopped (413 while counting):
  // its listeners no longer matter, the rest only has to be discarded.
  req.removeAllListeners('readable');
  req.removeAllListeners('data');
  req.on('data', () => {});
  req.resume();
}

/**
 * Sets the security headers (and the request's CSP, from which Next.js takes
 * the nonce) and refuses what must not reach the app. True when it answered.
 */
export function guardRequest(req: IncomingMessage, res: ServerResponse, options: GateOptions): boolean {
  const nonce = newNonce();
  const headers = securityHeaders({ nonce, dev: options.dev, secure: isSecureRequest(headerReader(req)), host: req.headers.host });
  // Replace anything the client sent: the nonce Next.js renders with must be ours.
  delete req.headers['content-security-policy-report-only'];
  req.headers['content-security-policy'] = headers['Content-Security-Policy'];
  req.headers[NONCE_HEADER] = nonce;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.once('finish', () => drainAfterAnswer(req));

  if (WRITE_METHODS.has(req.method ?? '') && req.headers.origin === 'null') {
    sendError(res, 403, 'forbidden', 'Cross-site request refused: "Origin: null" (a sandboxed or opaque origin)');
    return true;
  }
  if (declaredLengthExceeds(req.headers['content-length'], options.maxBodyBytes)) {
    sendError(res, 413, 'payload_too_large', `The request body is larger than the limit of ${formatBytes(options.maxBodyBytes)}`);
    return true;
  }
  return false;
}
