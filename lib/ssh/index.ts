// lib/ssh — the SSH layer: connection pool, host-key pinning, exec with
// argument arrays, SFTP atomic writes (one file, or many in one session),
// tunnels for consoles, client keys.
//
// Owns the connections to hosts and nothing else: no database, no app code.
// Functions use the process-wide pool unless given `{ pool }`.

import { defaultPool } from './pool';

export { SshPool, defaultPool, LiveConnection, type PoolOptions, type Lease, type LeaseOptions } from './pool';
export { exec, type ExecOptions, type ExecResult } from './exec';
export {
  writeFileAtomic,
  writeFilesAtomic,
  withSftpSession,
  readFile,
  type SftpOptions,
  type SftpSession,
  type UploadFile,
  type WriteFilesOptions,
} from './sftp';
export { openForward, type ForwardOptions } from './forward';
export { probeHostKey, probeHostKeyInfo, type HostKeyInfo } from './probe';
export { shellQuote, buildCommand } from './quote';
export { fingerprintOfKeyBlob, fingerprintOfPublicKeyLine, isFingerprint, normalizeFingerprint, sameFingerprint } from './fingerprint';
export { generateEd25519KeyPair, parsePrivateKey, authorizedKeysLine, type KeyPair, type PrivateKeyInfo } from './keys';
export * from './errors';
export type { SshTarget, SshEndpoint, ConnectionState, ConnectionStatus } from './types';

/** Close every connection of the process-wide pool (on shutdown, at the end of a CLI run or a test). */
export function closeAll(): Promise<void> {
  return defaultPool().closeAll();
}
