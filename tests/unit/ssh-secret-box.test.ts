// Unit tests of lib/crypto/secret-box.ts: round trips, key forms, tampering, wrong keys, rotation.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBoxError, createSecretBox, deriveKey, isSecretBoxCiphertext, secretBoxFromEnv } from '@/lib/crypto/secret-box';

const RAW = randomBytes(32).toString('base64');
const PASSPHRASE = 'correct horse battery staple';
const PRIVATE_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA...\n-----END OPENSSH PRIVATE KEY-----\n';

function flip(ct: string, field: number): string {
  const parts = ct.split('.');
  const b = Buffer.from(parts[field]!, 'base64url');
  b[0]! ^= 0x01;
  parts[field] = b.toString('base64url');
  return parts.join('.');
}

describe('secret box', () => {
  it('round-trips strings and buffers with a raw base64 key', () => {
    const box = createSecretBox(RAW);
    const ct = box.encrypt(PRIVATE_KEY);
    expect(ct.startsWith('hdsb1.')).toBe(true);
    expect(isSecretBoxCiphertext(ct)).toBe(true);
    expect(ct).not.toContain('OPENSSH');
    expect(box.decryptString(ct)).toBe(PRIVATE_KEY);
    const bin = randomBytes(1000);
    expect(box.decrypt(box.encrypt(bin)).equals(bin)).toBe(true);
    expect(box.decryptString(box.encrypt(''))).toBe('');
  });

  it('round-trips with a passphrase, and base64url raw keys work too', () => {
    const box = createSecretBox(PASSPHRASE);
    expect(box.decryptString(box.encrypt('s3cret'))).toBe('s3cret');
    const urlKey = Buffer.from(RAW, 'base64').toString('base64url');
    expect(createSecretBox(urlKey).keyId).toBe(createSecretBox(RAW).keyId);
  });

  it('uses a fresh IV every time', () => {
    const box = createSecretBox(RAW);
    const a = box.encrypt('same');
    const b = box.encrypt('same');
    expect(a).not.toBe(b);
    expect(a.split('.')[2]).not.toBe(b.split('.')[2]);
  });

  it('detects tampering with the IV, ciphertext or tag', () => {
    const box = createSecretBox(RAW);
    const ct = box.encrypt(PRIVATE_KEY);
    for (const field of [2, 3, 4]) {
      expect(() => box.decrypt(flip(ct, field))).toThrow(SecretBoxError);
    }
    // truncated or extended ciphertext
    const parts = ct.split('.');
    parts[3] = parts[3]!.slice(0, -4);
    expect(() => box.decrypt(parts.join('.'))).toThrow(/altered/);
  });

  it('binds the context (a ciphertext copied to another record does not decrypt)', () => {
    const box = createSecretBox(RAW);
    const ct = box.encrypt('key of host 1', 'ssh-key:1');
    expect(box.decryptString(ct, 'ssh-key:1')).toBe('key of host 1');
    expect(() => box.decrypt(ct, 'ssh-key:2')).toThrow(/context/);
    expect(() => box.decrypt(ct)).toThrow(SecretBoxError);
  });

  it('says clearly when the key is different', () => {
    const ct = createSecretBox(RAW).encrypt('x');
    expect(() => createSecretBox(randomBytes(32).toString('base64')).decrypt(ct)).toThrow(/another key/);
    expect(() => createSecretBox(PASSPHRASE).decrypt(ct)).toThrow(/another key/);
  });

  it('decrypts with previous keys during a rotation and encrypts with the new one', () => {
    const old = createSecretBox(RAW);
    const ct = old.encrypt('rotated');
    const NEW = randomBytes(32).toString('base64');
    const box = createSecretBox(NEW, [RAW]);
    expect(box.decryptString(ct)).toBe('rotated');
    const fresh = box.encrypt('rotated');
    expect(fresh.split('.')[1]).toBe(createSecretBox(NEW).keyId);
    expect(() => old.decrypt(fresh)).toThrow(/another key/);
  });

  it('rejects malformed input and other versions', () => {
    const box = createSecretBox(RAW);
    for (const bad of ['', 'hello', 'hdsb1.a.b.c', 'hdsb1.a.b.c.d.e', `hdsb2.${box.encrypt('x').split('.').slice(1).join('.')}`]) {
      expect(() => box.decrypt(bad)).toThrow(SecretBoxError);
    }
    expect(() => box.decrypt(box.encrypt('x').replace(/\.[^.]+$/, '.!!!'))).toThrow(/malformed/);
    expect(isSecretBoxCiphertext('plain text')).toBe(false);
  });

  it('refuses weak or missing keys with a helpful message', () => {
    expect(() => createSecretBox('short')).toThrow(/too short/);
    expect(() => createSecretBox('')).toThrow(/empty/);
    expect(() => secretBoxFromEnv({})).toThrow(/HOSTDECK_SECRET_KEY is not set/);
  });

  it('reads HOSTDECK_SECRET_KEY and HOSTDECK_SECRET_KEY_PREVIOUS from the environment', () => {
    const ct = createSecretBox(PASSPHRASE).encrypt('from env');
    const box = secretBoxFromEnv({ HOSTDECK_SECRET_KEY: RAW, HOSTDECK_SECRET_KEY_PREVIOUS: ` ${PASSPHRASE} ` });
    expect(box.decryptString(ct)).toBe('from env');
  });

  it('error messages never contain the plaintext or the key', () => {
    const box = createSecretBox(RAW);
    const ct = box.encrypt(PRIVATE_KEY, 'ctx');
    try {
      box.decrypt(flip(ct, 3), 'ctx');
      expect.unreachable();
    } catch (e) {
      const msg = String((e as Error).message) + String((e as Error).stack);
      expect(msg).not.toContain('OPENSSH');
      expect(msg).not.toContain(RAW);
    }
  });

  it('derives keys deterministically (same secret, same key id)', () => {
    expect(deriveKey(RAW).id).toBe(deriveKey(RAW).id);
    expect(deriveKey(RAW).id).not.toBe(deriveKey(PASSPHRASE).id);
    expect(deriveKey(RAW).key).toHaveLength(32);
  });
});
