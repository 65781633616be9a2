// Unit tests of lib/ssh/fingerprint.ts and lib/ssh/keys.ts, checked against OpenSSH's own ssh-keygen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fingerprintOfKeyBlob,
  fingerprintOfPublicKeyLine,
  isFingerprint,
  normalizeFingerprint,
  sameFingerprint,
} from '@/lib/ssh/fingerprint';
import { authorizedKeysLine, generateEd25519KeyPair, parsePrivateKey } from '@/lib/ssh/keys';
import { InvalidKeyError } from '@/lib/ssh/errors';

const dir = mkdtempSync(join(tmpdir(), 'hostdeck-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sshKeygenFingerprint(pubFile: string): string {
  // "256 SHA256:xxxx comment (ED25519)"
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile], { encoding: 'utf8' }).split(' ')[1]!;
}

describe('fingerprints', () => {
  it('match ssh-keygen -l for ed25519, ecdsa and rsa keys', () => {
    for (const [type, bits] of [
      ['ed25519', ''],
      ['ecdsa', '256'],
      ['rsa', '2048'],
    ] as const) {
      const f = join(dir, `k-${type}`);
      execFileSync('ssh-keygen', ['-q', '-t', type, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'test', '-f', f]);
      const line = readFileSync(`${f}.pub`, 'utf8');
      const expected = sshKeygenFingerprint(`${f}.pub`);
      expect(fingerprintOfPublicKeyLine(line)).toBe(expected);
      expect(fingerprintOfKeyBlob(Buffer.from(line.split(' ')[1]!, 'base64'))).toBe(expected);
      expect(isFingerprint(expected)).toBe(true);
      // the private key gives the same fingerprint
      expect(parsePrivateKey(readFileSync(f, 'utf8')).fingerprint).toBe(expected);
    }
  });

  it('have the OpenSSH format: SHA256: + 43 unpadded base64 characters', () => {
    const fp = fingerprintOfKeyBlob(Buffer.from('anything'));
    expect(fp).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fp).not.toContain('=');
  });

  it('normalise what operators paste', () => {
    const fp = fingerprintOfKeyBlob(Buffer.from('x'));
    const bare = fp.slice(7);
    expect(normalizeFingerprint(fp)).toBe(fp);
    expect(normalizeFingerprint(`  ${fp}  `)).toBe(fp);
    expect(normalizeFingerprint(bare)).toBe(fp);
    expect(normalizeFingerprint(`${bare}=`)).toBe(fp);
    expect(normalizeFingerprint(`sha256:${bare}`)).toBe(fp);
    expect(normalizeFingerprint(`256 ${fp} root@host (ED25519)`)).toBe(fp);
    expect(() => normalizeFingerprint('MD5:aa:bb')).toThrow(TypeError);
    expect(() => normalizeFingerprint('')).toThrow(TypeError);
    expect(sameFingerprint(fp, bare)).toBe(true);
    expect(sameFingerprint(fp, fingerprintOfKeyBlob(Buffer.from('y')))).toBe(false);
    expect(sameFingerprint(fp, 'garbage')).toBe(false);
  });

  it('reject lines without a key', () => {
    expect(() => fingerprintOfPublicKeyLine('hello world')).toThrow(TypeError);
  });
});

describe('keys', () => {
  it('generateEd25519KeyPair makes a pair OpenSSH accepts', () => {
    const pair = generateEd25519KeyPair('hostdeck@test');
    expect(pair.privateKeyOpenSsh).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
    expect(pair.publicKeyOpenSsh).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/]+=* hostdeck@test$/);
    const f = join(dir, 'gen');
    writeFileSync(f, pair.privateKeyOpenSsh, { mode: 0o600 });
    // ssh-keygen -y derives the public key from the private one
    const derived = execFileSync('ssh-keygen', ['-y', '-f', f], { encoding: 'utf8' }).trim();
    expect(derived.split(' ').slice(0, 2)).toEqual(pair.publicKeyOpenSsh.split(' ').slice(0, 2));
    const info = parsePrivateKey(pair.privateKeyOpenSsh);
    expect(info.type).toBe('ssh-ed25519');
    expect(info.fingerprint).toBe(fingerprintOfPublicKeyLine(pair.publicKeyOpenSsh));
  });

  it('two pairs differ', () => {
    expect(generateEd25519KeyPair().privateKeyOpenSsh).not.toBe(generateEd25519KeyPair().privateKeyOpenSsh);
  });

  it('parsePrivateKey explains what is wrong, without echoing the key', () => {
    const pair = generateEd25519KeyPair();
    const cases: Array<[string | Buffer, RegExp]> = [
      ['', /empty/],
      ['   \n', /empty/],
      ['not a key at all', /not a recognised SSH key/],
      [pair.publicKeyOpenSsh, /public key/],
    ];
    for (const [input, msg] of cases) {
      let err: unknown;
      try {
        parsePrivateKey(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidKeyError);
      expect((err as Error).message).toMatch(msg);
    }
    // a truncated private key
    expect(() => parsePrivateKey(pair.privateKeyOpenSsh.slice(0, 120))).toThrow(InvalidKeyError);
    try {
      parsePrivateKey(pair.privateKeyOpenSsh.slice(0, 200));
    } catch (e) {
      expect((e as Error).message).not.toContain(pair.privateKeyOpenSsh.slice(40, 100));
    }
  });

  it('parsePrivateKey handles encrypted keys', () => {
    const f = join(dir, 'enc');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '2', '-N', 'correct horse', '-f', f]);
    const text = readFileSync(f, 'utf8');
    expect(() => parsePrivateKey(text)).toThrow(/passphrase is required/);
    expect(() => parsePrivateKey(text, 'wrong')).toThrow(/wrong passphrase/);
    expect(parsePrivateKey(text, 'correct horse').fingerprint).toBe(sshKeygenFingerprint(`${f}.pub`));
  });

  it('authorizedKeysLine writes one safe line', () => {
    const pair = generateEd25519KeyPair('orig');
    const [type, b64] = pair.publicKeyOpenSsh.split(' ');
    expect(authorizedKeysLine(pair.publicKeyOpenSsh, 'hostdeck')).toBe(`${type} ${b64} hostdeck`);
    expect(authorizedKeysLine(pair.publicKeyOpenSsh)).toBe(`${type} ${b64} orig`);
    // from the private key too
    expect(authorizedKeysLine(pair.privateKeyOpenSsh, 'x')).toBe(`${type} ${b64} x`);
    // a comment cannot start a new line with options (command="...") of its own
    const evil = authorizedKeysLine(pair.publicKeyOpenSsh, 'a\ncommand="rm -rf /" ssh-ed25519 AAAA\r\n');
    expect(evil.split('\n')).toHaveLength(1);
    expect(evil.startsWith(`${type} ${b64} `)).toBe(true);
    expect(() => authorizedKeysLine('garbage', 'x')).toThrow(InvalidKeyError);
    // OpenSSH accepts the line
    const f = join(dir, 'ak');
    writeFileSync(f, `${authorizedKeysLine(pair.publicKeyOpenSsh, 'hostdeck key')}\n`);
    expect(execFileSync('ssh-keygen', ['-l', '-f', f], { encoding: 'utf8' })).toContain(fingerprintOfPublicKeyLine(pair.publicKeyOpenSsh));
  });
});
