// lib/ssh/keys.ts — SSH client keys: generate, validate, and format for authorized_keys.
//
// Hostdeck logs in to hosts with its own key pairs (ed25519 by default). The
// private key text is handed to the caller, who stores it encrypted
// (lib/crypto/secret-box.ts); this module never writes keys anywhere and never
// puts key material into error messages.

import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';
import { InvalidKeyError } from './errors';
import { fingerprintOfKeyBlob } from './fingerprint';

const { utils } = ssh2;

export type KeyPair = {
  /** OpenSSH private key (`-----BEGIN OPENSSH PRIVATE KEY-----`), unencrypted. */
  privateKeyOpenSsh: string;
  /** `ssh-ed25519 AAAA... comment` */
  publicKeyOpenSsh: string;
};

export type PrivateKeyInfo = {
  /** Key type as in the public key line, e.g. `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`. */
  type: string;
  /** Public key line (without comment). */
  publicKeyOpenSsh: string;
  /** SHA256 fingerprint of the public key. */
  fingerprint: string;
};

/** A fresh ed25519 key pair in OpenSSH formats. */
export function generateEd25519KeyPair(comment = 'hostdeck'): KeyPair {
  // ssh2 writes about 1 pair in 250 that it cannot read back ("Malformed OpenSSH private key"):
  // keep only a pair whose two halves parse and agree.
  for (let attempt = 1; ; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519', { comment: sanitizeComment(comment) });
    if (readsBack(pair.private, pair.public) || attempt >= 20) return { privateKeyOpenSsh: pair.private, publicKeyOpenSsh: pair.public };
  }
}

function readsBack(privateKey: string, publicKey: string): boolean {
  const one = (key: string) => {
    const parsed = utils.parseKey(key);
    return parsed instanceof Error ? null : Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
  };
  const priv = one(privateKey);
  const pub = one(publicKey);
  return Boolean(priv && pub && priv.getPublicSSH().equals(pub.getPublicSSH()));
}

/**
 * Check that `key` is a usable private key (OpenSSH, PEM/PKCS#1/PKCS#8 RSA,
 * ECDSA, ed25519), decrypting it with `passphrase` if it is encrypted.
 * Throws InvalidKeyError with a message fit for a form field.
 */
export function parsePrivateKey(key: string | Buffer, passphrase?: string): PrivateKeyInfo {
  const parsed = parseOne(key, passphrase);
  if (!parsed.isPrivateKey()) {
    throw new InvalidKeyError('this is a public key; paste the private key (the file without .pub)');
  }
  const blob = parsed.getPublicSSH();
  return {
    type: parsed.type,
    publicKeyOpenSsh: `${parsed.type} ${blob.toString('base64')}`,
    fingerprint: fingerprintOfKeyBlob(blob),
  };
}

/**
 * One authorized_keys line for `publicKey` (an OpenSSH public key line or a
 * private key, whose public half is used), with `comment` made safe: control
 * characters and line breaks become spaces, so the comment cannot start a new line
 * with options of its own.
 */
export function authorizedKeysLine(publicKey: string | Buffer, comment?: string): string {
  const parsed = parseOne(publicKey);
  const blob = parsed.getPublicSSH();
  const c = sanitizeComment(comment ?? parsed.comment ?? '');
  return `${parsed.type} ${blob.toString('base64')}${c ? ` ${c}` : ''}`;
}

function parseOne(key: string | Buffer, passphrase?: string): ParsedKey {
  if (typeof key !== 'string' && !Buffer.isBuffer(key)) throw new InvalidKeyError('key must be text');
  if (key.length === 0 || (typeof key === 'string' && key.trim() === '')) throw new InvalidKeyError('key is empty');
  let result: ParsedKey | ParsedKey[] | Error;
  try {
    result = utils.parseKey(key, passphrase) as ParsedKey | ParsedKey[] | Error;
  } catch (e) {
    result = e instanceof Error ? e : new Error(String(e));
  }
  if (result instanceof Error) throw new InvalidKeyError(explain(result.message));
  const one = Array.isArray(result) ? result[0] : result;
  if (!one) throw new InvalidKeyError('no key found in the text');
  return one;
}

function explain(message: string): string {
  if (/no passphrase given/i.test(message)) return 'the private key is encrypted: a passphrase is required';
  if (/bad passphrase|integrity check failed|decrypt/i.test(message)) return 'wrong passphrase for the private key';
  if (/unsupported key format/i.test(message)) return 'not a recognised SSH key (expected an OpenSSH or PEM key)';
  if (/unsupported/i.test(message)) return `unsupported key: ${message}`;
  return `invalid SSH key: ${message}`;
}

function sanitizeComment(comment: string): string {
  return comment
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
