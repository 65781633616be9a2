// lib/ssh/types.ts — the shapes shared by the SSH layer's modules.

/** Everything needed to reach one host. `id` keys the pooled connection (e.g. the host's database id). */
export type SshTarget = {
  id: string;
  address: string;
  port: number;
  user: string;
  /** OpenSSH or PEM private key text. */
  privateKey: Buffer | string;
  /** Passphrase of an encrypted private key. */
  passphrase?: string;
  /**
   * The host key fingerprint the operator confirmed (`SHA256:...`). A host
   * presenting any other key is refused before authentication. Without it
   * the pool refuses to connect unless created with `requirePinnedHostKey: false`.
   */
  pinnedFingerprint?: string;
};

/** Address of a host for a key probe (no credentials needed). */
export type SshEndpoint = { id?: string; address: string; port: number; user?: string };

export type ConnectionState =
  /** no connection and none wanted (never used, or closed after being idle) */
  | 'idle'
  /** an on-demand connection attempt is under way */
  | 'connecting'
  /** connected and authenticated */
  | 'ready'
  /** the connection was lost; reconnecting in the background with back-off */
  | 'reconnecting'
  /** the last attempt failed and no background retry is scheduled */
  | 'failed';

export type ConnectionStatus = {
  id: string;
  state: ConnectionState;
  /** The last error (connect failure or loss), cleared on success. */
  lastError: Error | null;
  /** Session channels (exec, SFTP) open right now on the connection. */
  openChannels: number;
  /** Highest number of session channels ever open at once on this host's connections. */
  maxOpenChannels: number;
  /** Operations waiting for a free session channel. */
  queued: number;
  /** Port forwards (console tunnels) open right now. */
  forwards: number;
  /** Successful connects so far (1 = never reconnected). */
  connects: number;
  connectedAt: Date | null;
};
