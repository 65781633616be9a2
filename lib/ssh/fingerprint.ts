// lib/ssh/fingerprint.ts — SSH public key fingerprints in OpenSSH's format.
//
// `SHA256:` followed by the unpadded base64 of the SHA-256 of the key blob
// (the wire encoding of the public key), exactly what `ssh-keygen -l` and
// OpenSSH's "host key fingerprint is ..." print, so operators can compare
// what Hostdeck shows with what their host shows.

import { createHash } from 'node:crypto';

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;

/** Fingerprint of a public key blob (SSH wire format, as ssh2's hostVerifier receives it). */
export function fingerprintOfKeyBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Fingerprint of an OpenSSH public key line (`ssh-ed25519 AAAA... comment`) or a known_hosts line. */
export function fingerprintOfPublicKeyLine(line: string): string {
  const fields = line.trim().split(/\s+/);
  // The base64 blob is the first field that decodes to a blob starting with its own type name.
  for (const field of fields) {
    if (!/^AAAA[A-Za-z0-9+/]+=*$/.test(field)) continue;
    const blob = Buffer.from(field, 'base64');
    if (blob.length > 4) return fingerprintOfKeyBlob(blob);
  }
  throw new TypeError('not an OpenSSH public key line');
}

/** True if `s` is a well-formed SHA256 fingerprint (`SHA256:` + 43 base64 characters). */
export function isFingerprint(s: string): boolean {
  return FINGERPRINT.test(s);
}

/**
 * Bring a fingerprint an operator pasted into the canonical form: trims
 * whitespace, adds a missing `SHA256:` prefix, drops base64 padding and a
 * trailing key-type/comment as ssh-keygen prints it. Throws on anything else.
 */
export function normalizeFingerprint(input: string): string {
  let s = input.trim();
  const m = /^(?:\d+\s+)?((?:SHA256:)?[A-Za-z0-9+/]{43}=?)(?:\s.*)?$/i.exec(s);
  if (!m) throw new TypeError(`not a SHA256 fingerprint: ${JSON.stringify(input.slice(0, 80))}`);
  s = (m[1] ?? '').replace(/=+$/, '');
  if (/^sha256:/i.test(s)) s = s.slice(7);
  return `SHA256:${s}`;
}

/** Compare two fingerprints after normalising both. */
export function sameFingerprint(a: string, b: string): boolean {
  try {
    return normalizeFingerprint(a) === normalizeFingerprint(b);
  } catch {
    return false;
  }
}
