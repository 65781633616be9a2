// lib/ssh/pool.ts — one pooled ssh2 connection per host.
//
// Owns the connections: connects on demand (verifying the pinned host key
// before anything else is sent), keeps them alive with SSH keepalives,
// reconnects in the background with exponential back-off after a connection
// is lost, limits how many session channels (exec, SFTP) are open at once on
// one connection (the rest wait in a FIFO queue; OpenSSH's MaxSessions is 10),
// closes connections that stayed idle, and closes everything on closeAll().
// Callers borrow a connection through lease()/withSession(); exec, SFTP and
// forwards live in their own modules.

import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { Client as SshClient, ConnectConfig } from 'ssh2';
import {
  AuthFailedError,
  HostKeyMismatchError,
  HostKeyNotPinnedError,
  HostUnreachableError,
  InvalidKeyError,
  PoolClosedError,
  SshError,
} from './errors';
import { fingerprintOfKeyBlob, normalizeFingerprint } from './fingerprint';
import type { ConnectionState, ConnectionStatus, SshTarget } from './types';

const { Client } = ssh2;

export type PoolOptions = {
  /** Session channels (exec, SFTP) open at once per connection; more wait in a queue. Default 8 (OpenSSH allows 10). */
  maxChannelsPerConnection?: number;
  /** Port forwards open at once per connection. Default 64. */
  maxForwardsPerConnection?: number;
  /** Close a connection after it had no channel for this long. Default 5 min. */
  idleMs?: number;
  /** SSH keepalive interval. Default 15 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost. Default 3. */
  keepaliveCountMax?: number;
  /** Limit for TCP connect + SSH handshake + authentication. Default 10 s. */
  connectTimeoutMs?: number;
  /** Background reconnect after a loss: first delay, cap, and how long to keep trying. Defaults 250 ms, 30 s, idleMs. */
  backoff?: { initialMs?: number; maxMs?: number; giveUpAfterMs?: number };
  /** Refuse targets without pinnedFingerprint. Default true. */
  requirePinnedHostKey?: boolean;
};

/** A borrowed connection. Call release() exactly once when done (extra calls are ignored). */
export type Lease = {
  readonly client: SshClient;
  readonly connection: LiveConnection;
  readonly target: SshTarget;
  /** Count a channel as open on this connection (for the statistics). */
  channelOpened(): void;
  channelClosed(): void;
  release(): void;
};

export type LeaseOptions = {
  /** Abort waiting (queue or connect). The lease is not granted; the abort reason is thrown. */
  signal?: AbortSignal;
  /** Called when the lease stops waiting for a channel slot and starts waiting for the connection. */
  onConnecting?: () => void;
};

/** One established SSH connection. `lost` turns true when it closes for any reason other than our own close(). */
export class LiveConnection {
  lost = false;
  intentional = false;
  lostError: SshError | null = null;
  readonly connectedAt = new Date();
  constructor(
    readonly client: SshClient,
    readonly hostKeyFingerprint: string,
  ) {}
}

type Waiter = { grant: () => void; fail: (e: unknown) => void };

type Entry = {
  id: string;
  target: SshTarget;
  signature: string;
  conn: LiveConnection | null;
  connecting: Promise<LiveConnection> | null;
  state: ConnectionState;
  lastError: Error | null;
  failures: number;
  lostAt: number | null;
  retryTimer: NodeJS.Timeout | null;
  idleTimer: NodeJS.Timeout | null;
  sessions: number;
  forwards: number;
  openChannels: number;
  maxOpenChannels: number;
  connects: number;
  queue: Waiter[];
  closed: boolean;
  /** Replaced by a newer target config: close as soon as it is unused. */
  retired: boolean;
};

const DEFAULTS = {
  maxChannelsPerConnection: 8,
  maxForwardsPerConnection: 64,
  idleMs: 5 * 60_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  connectTimeoutMs: 10_000,
  requirePinnedHostKey: true,
};

export class SshPool {
  private readonly opts: Required<Omit<PoolOptions, 'backoff'>> & { backoff: { initialMs: number; maxMs: number; giveUpAfterMs: number } };
  private readonly entries = new Map<string, Entry>();
  private readonly retired = new Set<Entry>();

  constructor(options: PoolOptions = {}) {
    const idleMs = options.idleMs ?? DEFAULTS.idleMs;
    this.opts = {
      maxChannelsPerConnection: options.maxChannelsPerConnection ?? DEFAULTS.maxChannelsPerConnection,
      maxForwardsPerConnection: options.maxForwardsPerConnection ?? DEFAULTS.maxForwardsPerConnection,
      idleMs,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? DEFAULTS.keepaliveIntervalMs,
      keepaliveCountMax: options.keepaliveCountMax ?? DEFAULTS.keepaliveCountMax,
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
      requirePinnedHostKey: options.requirePinnedHostKey ?? DEFAULTS.requirePinnedHostKey,
      backoff: {
        initialMs: options.backoff?.initialMs ?? 250,
        maxMs: options.backoff?.maxMs ?? 30_000,
        giveUpAfterMs: options.backoff?.giveUpAfterMs ?? idleMs,
      },
    };
    if (this.opts.maxChannelsPerConnection < 1) throw new RangeError('maxChannelsPerConnection must be >= 1');
  }

  // ------------------------------------------------------------ borrowing --

  /**
   * Borrow the host's connection for one channel. 'session' leases (exec,
   * SFTP) count against the per-connection cap and may wait in the queue;
   * 'forward' leases (port forwards) do not queue.
   */
  async lease(target: SshTarget, kind: 'session' | 'forward', options: LeaseOptions = {}): Promise<Lease> {
    const entry = this.entryFor(target);
    options.signal?.throwIfAborted();
    if (kind === 'session') {
      await this.acquireSlot(entry, options.signal);
    } else {
      if (entry.forwards >= this.opts.maxForwardsPerConnection) {
        throw new SshError(`too many port forwards open to ${target.id} (${entry.forwards})`, { hostId: target.id });
      }
      entry.forwards++;
    }
    this.clearIdle(entry);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.releaseSlot(entry, kind);
    };
    try {
      options.onConnecting?.();
      const connection = await this.connection(entry, options.signal);
      let counted = 0;
      return {
        client: connection.client,
        connection,
        target: entry.target,
        channelOpened: () => {
          counted++;
          if (kind === 'session') {
            entry.openChannels++;
            entry.maxOpenChannels = Math.max(entry.maxOpenChannels, entry.openChannels);
          }
        },
        channelClosed: () => {
          if (counted <= 0) return;
          counted--;
          if (kind === 'session') entry.openChannels--;
        },
        release: () => {
          if (kind === 'session')
            while (counted > 0) {
              counted--;
              entry.openChannels--;
            }
          release();
        },
      };
    } catch (e) {
      release();
      throw e;
    }
  }

  /** lease() a session slot, run fn, release when fn's promise settles. */
  async withSession<T>(target: SshTarget, options: LeaseOptions, fn: (lease: Lease) => Promise<T>): Promise<T> {
    const lease = await this.lease(target, 'session', options);
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  }

  // -------------------------------------------------------------- status --

  status(id: string): ConnectionStatus {
    const e = this.entries.get(id);
    if (!e) {
      return {
        id,
        state: 'idle',
        lastError: null,
        openChannels: 0,
        maxOpenChannels: 0,
        queued: 0,
        forwards: 0,
        connects: 0,
        connectedAt: null,
      };
    }
    return {
      id,
      state: e.state,
      lastError: e.lastError,
      openChannels: e.openChannels,
      maxOpenChannels: e.maxOpenChannels,
      queued: e.queue.length,
      forwards: e.forwards,
      connects: e.connects,
      connectedAt: e.conn ? e.conn.connectedAt : null,
    };
  }

  /** Ids of all hosts the pool knows. */
  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Close one host's connection now (waiting operations fail with PoolClosedError). */
  async close(id: string): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    await this.shutdown(e);
  }

  /** Close every connection and stop all background work. The pool stays usable afterwards. */
  async closeAll(): Promise<void> {
    const all = [...this.entries.values(), ...this.retired];
    this.entries.clear();
    this.retired.clear();
    await Promise.all(all.map((e) => this.shutdown(e)));
  }

  // ------------------------------------------------------------ internals --

  private entryFor(target: SshTarget): Entry {
    validateTarget(target);
    const signature = targetSignature(target, this.opts.requirePinnedHostKey);
    const existing = this.entries.get(target.id);
    if (existing && existing.signature === signature) return existing;
    if (existing) {
      // Host settings changed (address, key, pinned fingerprint...): new connections use them;
      // the old connection finishes what it is doing and closes.
      this.entries.delete(target.id);
      existing.retired = true;
      this.retired.add(existing);
      this.cancelRetry(existing);
      if (existing.sessions === 0 && existing.forwards === 0) void this.shutdown(existing);
    }
    const entry: Entry = {
      id: target.id,
      target: { ...target },
      signature,
      conn: null,
      connecting: null,
      state: 'idle',
      lastError: null,
      failures: 0,
      lostAt: null,
      retryTimer: null,
      idleTimer: null,
      sessions: 0,
      forwards: 0,
      openChannels: 0,
      maxOpenChannels: 0,
      connects: 0,
      queue: [],
      closed: false,
      retired: false,
    };
    this.entries.set(target.id, entry);
    return entry;
  }

  private acquireSlot(entry: Entry, signal?: AbortSignal): Promise<void> {
    if (entry.sessions < this.opts.maxChannelsPerConnection) {
      entry.sessions++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = entry.queue.indexOf(waiter);
        if (i >= 0) entry.queue.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (e) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      entry.queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaseSlot(entry: Entry, kind: 'session' | 'forward'): void {
    if (kind === 'session') {
      const next = entry.queue.shift();
      if (next)
        next.grant(); // the slot passes straight to the next waiter
      else entry.sessions--;
    } else {
      entry.forwards--;
    }
    if (entry.sessions === 0 && entry.forwards === 0) {
      if (entry.retired) void this.shutdown(entry);
      else this.armIdle(entry);
    }
  }

  private async connection(entry: Entry, signal?: AbortSignal): Promise<LiveConnection> {
    if (entry.closed) throw new PoolClosedError({ hostId: entry.id });
    if (entry.conn && !entry.conn.lost) return entry.conn;
    if (!entry.connecting) {
      this.cancelRetry(entry);
      if (entry.state !== 'reconnecting') entry.state = 'connecting';
      entry.connecting = this.connect(entry).finally(() => {
        entry.connecting = null;
      });
      entry.connecting.catch((e: unknown) => {
        // While reconnecting after a loss, keep trying in the background unless retrying cannot help.
        if (entry.state !== 'reconnecting') return;
        if (
          e instanceof HostKeyMismatchError ||
          e instanceof HostKeyNotPinnedError ||
          e instanceof AuthFailedError ||
          e instanceof InvalidKeyError
        ) {
          entry.state = 'failed'; // needs an operator
          return;
        }
        this.scheduleReconnect(entry);
      });
    }
    const p = entry.connecting;
    if (!signal) return p;
    return new Promise<LiveConnection>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (c) => {
          signal.removeEventListener('abort', onAbort);
          resolve(c);
        },
        (e) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  private connect(entry: Entry): Promise<LiveConnection> {
    const target = entry.target;
    const hostId = target.id;
    const pinned = target.pinnedFingerprint ? normalizeFingerprint(target.pinnedFingerprint) : null;
    return new Promise<LiveConnection>((resolve, reject) => {
      const client = new Client();
      let verifyError: SshError | null = null;
      let seenFingerprint = '';
      let conn: LiveConnection | null = null;
      let settled = false;

      const fail = (err: SshError) => {
        if (settled) return;
        settled = true;
        entry.failures++;
        entry.lastError = err;
        if (entry.state !== 'reconnecting') entry.state = 'failed';
        client.removeAllListeners('ready');
        try {
          client.end();
        } catch {
          /* already closed */
        }
        reject(err);
      };

      client.on('ready', () => {
        if (settled) return;
        settled = true;
        conn = new LiveConnection(client, seenFingerprint);
        if (entry.closed || entry.retired) {
          // closed while we were connecting
          conn.intentional = true;
          client.end();
          reject(new PoolClosedError({ hostId }));
          return;
        }
        entry.conn = conn;
        entry.state = 'ready';
        entry.failures = 0;
        entry.lastError = null;
        entry.lostAt = null;
        entry.connects++;
        if (entry.sessions === 0 && entry.forwards === 0) this.armIdle(entry);
        resolve(conn);
      });
      client.on('error', (err: Error & { level?: string; code?: string }) => {
        if (!settled) {
          fail(verifyError ?? mapConnectError(err, target, this.opts.connectTimeoutMs));
        } else if (conn && !conn.lostError) {
          conn.lostError = mapLostError(err, target);
        }
      });
      client.on('end', () => {
        if (conn) conn.lost = true;
      });
      client.on('close', () => {
        if (!settled) {
          fail(
            verifyError ??
              new HostUnreachableError('closed', `${target.address}:${target.port} closed the connection during the handshake`, { hostId }),
          );
          return;
        }
        if (conn) {
          conn.lost = true;
          this.onLost(entry, conn);
        }
      });

      const config: ConnectConfig = {
        host: target.address,
        port: target.port,
        username: target.user,
        privateKey: target.privateKey,
        passphrase: target.passphrase,
        readyTimeout: this.opts.connectTimeoutMs,
        keepaliveInterval: this.opts.keepaliveIntervalMs,
        keepaliveCountMax: this.opts.keepaliveCountMax,
        hostVerifier: (key: Buffer | string) => {
          seenFingerprint = fingerprintOfKeyBlob(Buffer.isBuffer(key) ? key : Buffer.from(key, 'latin1'));
          if (pinned) {
            if (seenFingerprint !== pinned) verifyError = new HostKeyMismatchError(pinned, seenFingerprint, { hostId });
          } else if (this.opts.requirePinnedHostKey) {
            verifyError = new HostKeyNotPinnedError(seenFingerprint, { hostId });
          }
          return verifyError === null;
        },
      };
      try {
        client.connect(config);
      } catch (e) {
        // ssh2 throws synchronously for an unparsable private key or bad options
        const msg = e instanceof Error ? e.message : String(e);
        fail(
          /privateKey|passphrase|key/i.test(msg)
            ? new InvalidKeyError(`cannot use the private key for ${hostId}: ${msg.replace(/^Cannot parse privateKey: /, '')}`, { hostId })
            : new SshError(msg, { hostId }),
        );
      }
    });
  }

  private onLost(entry: Entry, conn: LiveConnection): void {
    if (entry.conn !== conn) return;
    entry.conn = null;
    this.clearIdle(entry);
    if (conn.intentional || entry.closed || entry.retired) {
      if (!entry.closed) entry.state = 'idle';
      return;
    }
    entry.lastError =
      conn.lostError ??
      new HostUnreachableError('connection-lost', `connection to ${entry.target.address}:${entry.target.port} closed`, {
        hostId: entry.id,
      });
    entry.state = 'reconnecting';
    entry.lostAt = Date.now();
    entry.failures = 0;
    this.scheduleReconnect(entry);
  }

  private scheduleReconnect(entry: Entry): void {
    if (entry.closed || entry.retired || entry.retryTimer) return;
    const { initialMs, maxMs, giveUpAfterMs } = this.opts.backoff;
    if (entry.lostAt !== null && Date.now() - entry.lostAt > giveUpAfterMs) {
      entry.state = 'failed';
      return;
    }
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(entry.failures, 20));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = null;
      if (entry.closed || entry.retired || entry.conn || entry.connecting) return;
      this.connection(entry).catch(() => undefined); // failures reschedule themselves (see connection())
    }, delay);
    entry.retryTimer.unref();
  }

  private cancelRetry(entry: Entry): void {
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    entry.retryTimer = null;
  }

  private armIdle(entry: Entry): void {
    this.clearIdle(entry);
    if (!entry.conn) return;
    entry.idleTimer = setTimeout(() => {
      entry.idleTimer = null;
      if (entry.sessions > 0 || entry.forwards > 0 || !entry.conn) return;
      const conn = entry.conn;
      conn.intentional = true;
      conn.client.end();
    }, this.opts.idleMs);
    entry.idleTimer.unref();
  }

  private clearIdle(entry: Entry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
  }

  private shutdown(entry: Entry): Promise<void> {
    entry.closed = true;
    this.retired.delete(entry);
    this.cancelRetry(entry);
    this.clearIdle(entry);
    for (const w of entry.queue.splice(0)) w.fail(new PoolClosedError({ hostId: entry.id }));
    const conn = entry.conn;
    entry.state = 'idle';
    if (!conn) return Promise.resolve();
    conn.intentional = true;
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        conn.client.destroy();
        resolve();
      }, 2000);
      t.unref();
      conn.client.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      conn.client.end();
    });
  }
}

// ------------------------------------------------------------- helpers --

function validateTarget(t: SshTarget): void {
  if (!t || typeof t.id !== 'string' || t.id === '') throw new TypeError('SSH target needs an id');
  if (typeof t.address !== 'string' || t.address === '') throw new TypeError(`SSH target ${t.id}: address missing`);
  if (!Number.isInteger(t.port) || t.port < 1 || t.port > 65535) throw new TypeError(`SSH target ${t.id}: bad port ${t.port}`);
  if (typeof t.user !== 'string' || t.user === '') throw new TypeError(`SSH target ${t.id}: user missing`);
  if (!t.privateKey || t.privateKey.length === 0) throw new TypeError(`SSH target ${t.id}: private key missing`);
  if (t.pinnedFingerprint !== undefined) normalizeFingerprint(t.pinnedFingerprint); // throws on a malformed fingerprint
}

/** A digest of everything that changes how we connect; a different digest means a new connection. */
function targetSignature(t: SshTarget, requirePinned: boolean): string {
  const h = createHash('sha256');
  for (const part of [t.address, String(t.port), t.user, t.passphrase ?? '', t.pinnedFingerprint ?? '', String(requirePinned)]) {
    h.update(part).update('\0');
  }
  h.update(typeof t.privateKey === 'string' ? Buffer.from(t.privateKey) : t.privateKey);
  return h.digest('hex');
}

function mapConnectError(err: Error & { level?: string; code?: string }, target: SshTarget, timeoutMs: number): SshError {
  const hostId = target.id;
  const where = `${target.address}:${target.port}`;
  if (err.level === 'client-authentication') return new AuthFailedError(target.user, { hostId, cause: err });
  if (err.level === 'client-timeout') {
    return new HostUnreachableError('timeout', `no SSH handshake with ${where} within ${timeoutMs} ms`, { hostId, cause: err });
  }
  const reason = reasonForCode(err.code);
  if (reason) return new HostUnreachableError(reason, `${where}: ${err.message}`, { hostId, cause: err, code: err.code });
  if (err.level === 'handshake' || err.level === 'protocol') {
    return new HostUnreachableError('handshake', `${where}: ${err.message}`, { hostId, cause: err });
  }
  return new HostUnreachableError('error', `${where}: ${err.message}`, { hostId, cause: err, code: err.code });
}

function mapLostError(err: Error & { level?: string; code?: string }, target: SshTarget): SshError {
  const where = `${target.address}:${target.port}`;
  if (err.level === 'client-timeout')
    return new HostUnreachableError('keepalive-timeout', `${where} stopped answering keepalives`, { hostId: target.id, cause: err });
  return new HostUnreachableError('connection-lost', `${where}: ${err.message}`, { hostId: target.id, cause: err, code: err.code });
}

function reasonForCode(code: string | undefined): string | null {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'no-route';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    default:
      return null;
  }
}

const DEFAULT_POOL = Symbol.for('hostdeck.ssh.defaultPool');

/** The process-wide pool (kept on globalThis so dev-server module reloads share it). */
export function defaultPool(): SshPool {
  const g = globalThis as unknown as Record<symbol, SshPool | undefined>;
  const pool = g[DEFAULT_POOL] ?? new SshPool();
  g[DEFAULT_POOL] = pool;
  return pool;
}
