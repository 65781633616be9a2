// lib/crypto/secret-box.ts — encryption of secrets at rest (SSH private keys).
//
// AES-256-GCM with a key derived from HOSTDECK_SECRET_KEY, which may be
// either 32 random bytes in base64 (`openssl rand -base64 32`) or a
// passphrase of at least 16 characters (stretched with scrypt). The output
// is one ASCII string:
//
//   hdsb1.<key id>.<iv>.<ciphertext>.<tag>        (base64url fields)
//
// `hdsb1` is the format version; the key id (a short hash of the derived
// key) tells "encrypted with another key" apart from "tampered with". An
// optional context string (e.g. `ssh-key:<id>`) is bound in as associated
// data, so a ciphertext copied to another row does not decrypt. Older keys
// can be listed in HOSTDECK_SECRET_KEY_PREVIOUS (comma-separated) for
// decryption during a key rotation. Plaintext and keys never appear in errors.

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scryptSync } from 'node:crypto';
import type { Env } from '@/lib/env';

const VERSION = 'hdsb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_PASSPHRASE = 16;

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretBoxError';
  }
}

export type SecretBox = {
  /** Encrypt; `context` (optional) must be given again to decrypt. */
  encrypt(plaintext: string | Buffer, context?: string): string;
  decrypt(ciphertext: string, context?: string): Buffer;
  decryptString(ciphertext: string, context?: string): string;
  /** Id of the key used for encryption (also the second field of every ciphertext). */
  readonly keyId: string;
};

type DerivedKey = { key: Buffer; id: string };

const derivedCache = new Map<string, DerivedKey>();

/**
 * Derive the AES key from a HOSTDECK_SECRET_KEY value: base64 of exactly 32
 * bytes is used as key material (through HKDF-SHA256); anything else is a
 * passphrase (scrypt, N=2^15). Results are cached per process.
 */
export function deriveKey(secret: string): DerivedKey {
  if (typeof secret !== 'string' || secret.trim() === '') throw new SecretBoxError('secret key is empty');
  const cacheKey = createHash('sha256').update(secret).digest('hex');
  const hit = derivedCache.get(cacheKey);
  if (hit) return hit;
  const raw = decodeRawKey(secret.trim());
  let key: Buffer;
  if (raw) {
    key = Buffer.from(hkdfSync('sha256', raw, Buffer.from('hostdeck'), Buffer.from(`${VERSION} aes-256-gcm`), 32));
  } else {
    if (secret.length < MIN_PASSPHRASE) {
      throw new SecretBoxError(
        `HOSTDECK_SECRET_KEY is too short: use 32 random bytes in base64 (openssl rand -base64 32) or a passphrase of at least ${MIN_PASSPHRASE} characters`,
      );
    }
    key = scryptSync(secret, `${VERSION} hostdeck passphrase`, 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  }
  const id = createHash('sha256').update('hostdeck key id').update(key).digest('base64url').slice(0, 8);
  const derived = { key, id };
  derivedCache.set(cacheKey, derived);
  return derived;
}

/** A box that encrypts with `secret` and decrypts with it or any of `previous`. */
export function createSecretBox(secret: string, previous: readonly string[] = []): SecretBox {
  const current = deriveKey(secret);
  const all = [current, ...previous.filter((s) => s.trim() !== '').map(deriveKey)];
  const byId = new Map(all.map((k) => [k.id, k] as const));

  const decrypt = (ciphertext: string, context = ''): Buffer => {
    if (typeof ciphertext !== 'string') throw new SecretBoxError('ciphertext must be a string');
    const parts = ciphertext.split('.');
    if (parts.length !== 5) throw new SecretBoxError('not a Hostdeck secret (malformed ciphertext)');
    const [version = '', kid = '', ivB64 = '', ctB64 = '', tagB64 = ''] = parts;
    if (version !== VERSION) throw new SecretBoxError(`unsupported secret format "${version.slice(0, 10)}"`);
    const k = byId.get(kid);
    if (!k) {
      throw new SecretBoxError(
        `secret was encrypted with another key (id ${kid}); set HOSTDECK_SECRET_KEY (or HOSTDECK_SECRET_KEY_PREVIOUS) to the key it was made with`,
      );
    }
    const iv = fromB64(ivB64);
    const tag = fromB64(tagB64);
    const ct = fromB64(ctB64);
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('not a Hostdeck secret (malformed ciphertext)');
    try {
      const d = createDecipheriv('aes-256-gcm', k.key, iv, { authTagLength: TAG_BYTES });
      d.setAAD(aad(context));
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]);
    } catch {
      throw new SecretBoxError('secret could not be decrypted: it was altered, or belongs to another record (context mismatch)');
    }
  };

  return {
    keyId: current.id,
    encrypt(plaintext, context = '') {
      const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
      if (!Buffer.isBuffer(data)) throw new SecretBoxError('plaintext must be a string or Buffer');
      const iv = randomBytes(IV_BYTES);
      const c = createCipheriv('aes-256-gcm', current.key, iv, { authTagLength: TAG_BYTES });
      c.setAAD(aad(context));
      const ct = Buffer.concat([c.update(data), c.final()]);
      return [VERSION, current.id, iv.toString('base64url'), ct.toString('base64url'), c.getAuthTag().toString('base64url')].join('.');
    },
    decrypt,
    decryptString(ciphertext, context) {
      return decrypt(ciphertext, context).toString('utf8');
    },
  };
}

/** The box for HOSTDECK_SECRET_KEY (and HOSTDECK_SECRET_KEY_PREVIOUS) from `env`. */
export function secretBoxFromEnv(env: Env = process.env): SecretBox {
  const secret = env.HOSTDECK_SECRET_KEY;
  if (!secret || secret.trim() === '') {
    throw new SecretBoxError('HOSTDECK_SECRET_KEY is not set: it encrypts SSH keys at rest (generate one with `openssl rand -base64 32`)');
  }
  const previous = (env.HOSTDECK_SECRET_KEY_PREVIOUS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return createSecretBox(secret, previous);
}

/** True if `value` looks like a secret-box ciphertext (to tell encrypted from legacy plain values). */
export function isSecretBoxCiphertext(value: string): boolean {
  return /^hdsb1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/.test(value);
}

function aad(context: string): Buffer {
  return Buffer.from(`${VERSION}|${context}`, 'utf8');
}

function fromB64(s: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new SecretBoxError('not a Hostdeck secret (malformed ciphertext)');
  return Buffer.from(s, 'base64url');
}

function decodeRawKey(s: string): Buffer | null {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(s)) return null;
  const b = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return b.length === 32 ? b : null;
}
