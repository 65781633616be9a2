// The SSH keys Hostdeck logs in with: one generated ed25519 key per installation
// by default (or uploaded ones, optionally per host). Private keys are stored
// encrypted (lib/crypto/secret-box, bound to the row id) and only ever decrypted
// here, on the server, to build an SSH target.
import { randomUUID } from 'node:crypto';
import { getDb } from '@/lib/db';
import { secretBoxFromEnv } from '@/lib/crypto/secret-box';
import { authorizedKeysLine, generateEd25519KeyPair, parsePrivateKey, type SshTarget } from '@/lib/ssh';

type StoredSecret = { privateKey: string; passphrase?: string };

const context = (id: string) => `ssh-key:${id}`;

async function store(name: string, secret: StoredSecret, publicKey: string, fingerprint: string, isDefault: boolean, createdById?: string) {
  const id = randomUUID();
  const privateKeyEncrypted = secretBoxFromEnv().encrypt(JSON.stringify(secret), context(id));
  return getDb().sshKey.create({
    data: { id, name, publicKey, fingerprint, privateKeyEncrypted, isDefault, createdById: createdById ?? null },
    select: publicSelect,
  });
}

const publicSelect = { id: true, name: true, publicKey: true, fingerprint: true, isDefault: true, createdAt: true } as const;

/**
 * A fresh ed25519 pair that ssh2 parses back. ssh2's generator now and then (a
 * few in a thousand) writes a private key its own parser calls malformed; such
 * a key could never log in, so another is generated.
 */
function usableKeyPair() {
  for (let attempt = 1; ; attempt++) {
    const pair = generateEd25519KeyPair('hostdeck');
    try {
      return { pair, info: parsePrivateKey(pair.privateKeyOpenSsh) };
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

/** The installation's default key, generated on first use. */
export async function defaultSshKey() {
  const db = getDb();
  const existing = await db.sshKey.findFirst({ where: { isDefault: true }, select: publicSelect });
  if (existing) return existing;
  const { pair, info } = usableKeyPair();
  try {
    return await store('hostdeck-default', { privateKey: pair.privateKeyOpenSsh }, pair.publicKeyOpenSsh, info.fingerprint, true);
  } catch (error) {
    // Another process created it at the same moment (unique name): use theirs.
    const raced = await db.sshKey.findFirst({ where: { isDefault: true }, select: publicSelect });
    if (raced) return raced;
    throw error;
  }
}

/** Stores an uploaded private key after checking it (and its passphrase). Throws InvalidKeyError with a field-ready message. */
export async function uploadSshKey(input: { name: string; privateKey: string; passphrase?: string }, createdById?: string) {
  const info = parsePrivateKey(input.privateKey, input.passphrase);
  return store(
    input.name,
    { privateKey: input.privateKey, ...(input.passphrase ? { passphrase: input.passphrase } : {}) },
    `${info.publicKeyOpenSsh} hostdeck`,
    info.fingerprint,
    false,
    createdById,
  );
}

/** Makes a key the one hosts without their own key log in with. */
export async function makeDefaultSshKey(id: string): Promise<void> {
  await getDb().$transaction([
    getDb().sshKey.updateMany({ where: { isDefault: true }, data: { isDefault: false } }),
    getDb().sshKey.update({ where: { id }, data: { isDefault: true } }),
  ]);
}

export function listSshKeys() {
  return getDb().sshKey.findMany({ orderBy: [{ isDefault: 'desc' }, { name: 'asc' }], select: publicSelect });
}

/**
 * Every key with the line to append to a host user's authorized_keys, the
 * default key first; the default key is generated first when there is none yet
 * (as the host page does), so a host can be onboarded through the API alone.
 */
export async function listSshKeysForOnboarding() {
  await defaultSshKey();
  const keys = await listSshKeys();
  return keys.map((key) => ({ ...key, authorizedKeysLine: authorizedKeysLineFor(key) }));
}

/** Whether a key of this name is stored already. */
export async function sshKeyNameTaken(name: string): Promise<boolean> {
  return (await getDb().sshKey.findUnique({ where: { name }, select: { id: true } })) !== null;
}

/** The public part of the key a host logs in with: its own key, or the installation's default (generated when `createDefault`). */
export async function hostSshKey(host: { sshKeyId: string | null }, { createDefault = false }: { createDefault?: boolean } = {}) {
  if (host.sshKeyId) return getDb().sshKey.findUnique({ where: { id: host.sshKeyId }, select: publicSelect });
  return createDefault ? defaultSshKey() : null;
}

/** The exact line an operator appends to the host user's ~/.ssh/authorized_keys. */
export function authorizedKeysLineFor(key: { publicKey: string }): string {
  return authorizedKeysLine(key.publicKey, 'hostdeck');
}

/** Everything the SSH layer needs to reach a host: its address, user, decrypted key and pinned host key. */
export async function sshTargetFor(host: {
  id: string;
  address: string;
  port: number;
  sshUser: string;
  sshKeyId: string | null;
  hostKeyFingerprint: string | null;
}): Promise<SshTarget> {
  const db = getDb();
  const key = host.sshKeyId
    ? await db.sshKey.findUnique({ where: { id: host.sshKeyId } })
    : await db.sshKey.findFirst({ where: { isDefault: true } });
  if (!key) throw new Error('no SSH key: open Settings → SSH keys, or add a host to generate the default key');
  const secret = JSON.parse(secretBoxFromEnv().decryptString(key.privateKeyEncrypted, context(key.id))) as StoredSecret;
  return {
    id: host.id,
    address: host.address,
    port: host.port,
    user: host.sshUser,
    privateKey: secret.privateKey,
    ...(secret.passphrase ? { passphrase: secret.passphrase } : {}),
    ...(host.hostKeyFingerprint ? { pinnedFingerprint: host.hostKeyFingerprint } : {}),
  };
}
