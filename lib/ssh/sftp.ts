// lib/ssh/sftp.ts — file transfer over the pooled connection (SFTP).
//
// writeFileAtomic puts the content into a temporary file next to the target,
// sets its mode, flushes it (fsync@openssh.com when offered) and renames it
// over the target with posix-rename@openssh.com, so a reader sees either the
// old file or the new one, never half of it. Servers without that extension
// get remove + rename (atomic except for a short moment without the file).
// writeFilesAtomic does the same for many files in one SFTP session (several
// writes in flight, missing folders created); withSftpSession runs several
// reads, removals and writes in one session (one round trip to open it).

import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { openSessionChannel } from './channel';
import { CommandTimeoutError, SshError } from './errors';
import { defaultPool, type Lease, type SshPool } from './pool';
import type { SshTarget } from './types';

export type SftpOptions = {
  /** Limit for the whole transfer (queue + connect + transfer). Default 60 s. */
  timeoutMs?: number;
  pool?: SshPool;
};

/** Atomically replace `path` on the host with `content` (mode default 0644). `path` must be absolute. */
export async function writeFileAtomic(
  target: SshTarget,
  path: string,
  content: string | Buffer,
  mode = 0o644,
  options: SftpOptions = {},
): Promise<void> {
  if (!posix.isAbsolute(path) || path.endsWith('/'))
    throw new TypeError(`writeFileAtomic: need an absolute file path, got ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new TypeError('writeFileAtomic: path contains a NUL byte');
  const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  await withSftp(target, 'writeFileAtomic', options, (sftp) => putAtomic(sftp, target, path, data, mode));
}

/** One file for writeFilesAtomic: an absolute path, its content and mode (default 0644). */
export type UploadFile = { path: string; content: string | Buffer; mode?: number };

export type WriteFilesOptions = {
  /** Writes in flight at once on the one SFTP channel. Default 16. */
  concurrency?: number;
  /** Mode of folders created on the way. Default 0755. */
  folderMode?: number;
};

/** Several operations on the host in one SFTP session (see withSftpSession). */
export interface SftpSession {
  /** A whole file, or null when it does not exist. */
  readFile(path: string): Promise<Buffer | null>;
  /** Remove a file; nothing when it does not exist. */
  remove(path: string): Promise<void>;
  /** Create a folder and its missing parents. */
  mkdirs(path: string, mode?: number): Promise<void>;
  /** Each file atomically replaced (temp file, fsync, rename), missing folders created, several at once. */
  writeFiles(files: readonly UploadFile[], options?: WriteFilesOptions): Promise<void>;
}

/**
 * Write many files atomically in ONE SFTP session: each like writeFileAtomic
 * (temp file next to it, mode, fsync, posix-rename), missing folders created
 * first (mkdir, parents included), up to `concurrency` files in flight. The
 * first failure rejects (files already renamed stay; no temp file is left).
 * Every path must be absolute.
 */
export async function writeFilesAtomic(
  target: SshTarget,
  files: readonly UploadFile[],
  options: SftpOptions & WriteFilesOptions = {},
): Promise<void> {
  checkUploadPaths(files, 'writeFilesAtomic');
  if (files.length === 0) return;
  await withSftp(target, 'writeFilesAtomic', options, (sftp) => putMany(sftp, target, files, options));
}

/**
 * Run `fn` with one SFTP session on the host: reads, removals and atomic
 * writes share the session (one channel opened, one round trip to open it).
 * The time limit (`timeoutMs`) covers the whole session.
 */
export async function withSftpSession<T>(
  target: SshTarget,
  fn: (session: SftpSession) => Promise<T>,
  options: SftpOptions = {},
): Promise<T> {
  return withSftp(target, 'session', options, (sftp) => {
    const folders = new Set<string>();
    const session: SftpSession = {
      readFile: async (path) => {
        checkPath(path, 'readFile');
        try {
          return await call<Buffer>((cb) => sftp.readFile(path, cb));
        } catch (e) {
          if (isNoSuchFile(e)) return null;
          throw wrap(e, target, `read ${path}`);
        }
      },
      remove: async (path) => {
        checkPath(path, 'remove');
        try {
          await call<void>((cb) => sftp.unlink(path, cb));
        } catch (e) {
          if (!isNoSuchFile(e)) throw wrap(e, target, `remove ${path}`);
        }
      },
      mkdirs: (path, mode = 0o755) => {
        checkPath(path, 'mkdirs');
        return mkdirs(sftp, target, path, mode, folders);
      },
      writeFiles: (files, writeOptions = {}) => {
        checkUploadPaths(files, 'writeFiles');
        return putMany(sftp, target, files, writeOptions, folders);
      },
    };
    return fn(session);
  });
}

function checkPath(path: string, what: string): void {
  if (!posix.isAbsolute(path) || path.endsWith('/'))
    throw new TypeError(`${what}: need an absolute file path, got ${JSON.stringify(path)}`);
  if (path.includes('\0')) throw new TypeError(`${what}: path contains a NUL byte`);
}

function checkUploadPaths(files: readonly UploadFile[], what: string): void {
  const seen = new Set<string>();
  for (const file of files) {
    checkPath(file.path, what);
    if (seen.has(file.path)) throw new TypeError(`${what}: ${file.path} is listed twice`);
    seen.add(file.path);
  }
}

async function putMany(
  sftp: SFTPWrapper,
  target: SshTarget,
  files: readonly UploadFile[],
  options: WriteFilesOptions,
  folders = new Set<string>(),
): Promise<void> {
  const dirs = [...new Set(files.map((file) => posix.dirname(file.path)))].sort();
  for (const dir of dirs) await mkdirs(sftp, target, dir, options.folderMode ?? 0o755, folders);
  let next = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < files.length) {
      const file = files[next++]!;
      const data = typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content;
      try {
        await putAtomic(sftp, target, file.path, data, file.mode ?? 0o644);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 16, files.length));
  await Promise.all(Array.from({ length: width }, worker));
  if (failure !== null) throw failure;
}

/** mkdir -p over SFTP: each missing folder from the root down; `known` remembers folders seen in this session. */
async function mkdirs(sftp: SFTPWrapper, target: SshTarget, path: string, mode: number, known: Set<string>): Promise<void> {
  const missing: string[] = [];
  for (let dir = path; dir !== '/' && !known.has(dir); dir = posix.dirname(dir)) {
    try {
      const stats = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb));
      if (!stats.isDirectory())
        throw new SshError(`SFTP mkdir ${path} on ${target.id} failed: ${dir} is not a folder`, { hostId: target.id });
      known.add(dir);
      break;
    } catch (e) {
      if (e instanceof SshError) throw e;
      if (!isNoSuchFile(e)) throw wrap(e, target, `stat ${dir}`);
      missing.push(dir);
    }
  }
  for (const dir of missing.reverse()) {
    try {
      await call<void>((cb) => sftp.mkdir(dir, { mode }, cb));
    } catch (e) {
      // Made by someone else in the meantime: fine if it is a folder now.
      const stats = await call<{ isDirectory(): boolean }>((cb) => sftp.stat(dir, cb)).catch(() => null);
      if (!stats?.isDirectory()) throw wrap(e, target, `mkdir ${dir}`);
    }
    known.add(dir);
  }
}

/** Temp file next to `path`, content, mode, fsync, rename over `path`; the temp file is removed on failure. */
async function putAtomic(sftp: SFTPWrapper, target: SshTarget, path: string, data: Buffer, mode: number): Promise<void> {
  const dir = posix.dirname(path);
  const tmp = posix.join(dir, `.${posix.basename(path)}.hostdeck-${randomBytes(6).toString('hex')}.tmp`);
  let tmpCreated = false;
  try {
    const handle = await call<Buffer>((cb) => sftp.open(tmp, 'wx', { mode }, cb));
    tmpCreated = true;
    try {
      let offset = 0;
      while (offset < data.length) {
        const len = Math.min(data.length - offset, 256 * 1024);
        await call<void>((cb) => sftp.write(handle, data, offset, len, offset, cb));
        offset += len;
      }
      // open() applies the server's umask; set the mode explicitly.
      await call<void>((cb) => sftp.fchmod(handle, mode, cb));
      if (hasExtension(sftp, 'fsync@openssh.com')) await call<unknown>((cb) => sftp.ext_openssh_fsync(handle, cb));
    } finally {
      await call<void>((cb) => sftp.close(handle, cb)).catch(() => undefined);
    }
    if (hasExtension(sftp, 'posix-rename@openssh.com')) {
      await call<void>((cb) => sftp.ext_openssh_rename(tmp, path, cb));
    } else {
      // Plain SFTP rename refuses to replace an existing file.
      await call<void>((cb) => sftp.unlink(path, cb)).catch(() => undefined);
      await call<void>((cb) => sftp.rename(tmp, path, cb));
    }
    tmpCreated = false;
  } catch (e) {
    if (tmpCreated) await call<void>((cb) => sftp.unlink(tmp, cb)).catch(() => undefined);
    throw wrap(e, target, `write ${path}`);
  }
}

/** Read a whole file from the host. */
export async function readFile(target: SshTarget, path: string, options: SftpOptions = {}): Promise<Buffer> {
  return withSftp(target, 'readFile', options, async (sftp) => {
    try {
      return await call<Buffer>((cb) => sftp.readFile(path, cb));
    } catch (e) {
      throw wrap(e, target, `read ${path}`);
    }
  });
}

// ------------------------------------------------------------- helpers --

async function withSftp<T>(target: SshTarget, what: string, options: SftpOptions, fn: (sftp: SFTPWrapper) => Promise<T>): Promise<T> {
  const pool = options.pool ?? defaultPool();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const abort = new AbortController();
  let phase: 'queued' | 'connecting' | 'running' = 'queued';
  let sftpChannel: SFTPWrapper | null = null;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new CommandTimeoutError(`sftp ${what}`, timeoutMs, phase, { hostId: target.id });
      abort.abort(err);
      sftpChannel?.end();
      reject(err);
    }, timeoutMs);
  });
  const work = pool.withSession(target, { signal: abort.signal, onConnecting: () => (phase = 'connecting') }, async (lease) => {
    phase = 'running';
    const sftp = await openSftp(lease);
    sftpChannel = sftp;
    lease.channelOpened();
    try {
      return await fn(sftp);
    } finally {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 2000);
        t.unref();
        sftp.once('close', () => {
          clearTimeout(t);
          resolve();
        });
        sftp.end();
      });
      lease.channelClosed();
    }
  });
  work.catch(() => undefined); // the race below reports it
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function openSftp(lease: Lease): Promise<SFTPWrapper> {
  return openSessionChannel<SFTPWrapper>(lease, 'an SFTP session', (cb) => lease.client.sftp(cb));
}

function call<T>(fn: (cb: (err: Error | undefined | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      fn((err, value) => (err ? reject(err) : resolve(value as T)));
    } catch (e) {
      reject(e);
    }
  });
}

/** SFTP status 2 (SSH_FX_NO_SUCH_FILE). */
function isNoSuchFile(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 2;
}

function hasExtension(sftp: SFTPWrapper, name: string): boolean {
  const ext = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return !!ext && ext[name] === '1';
}

function wrap(e: unknown, target: SshTarget, what: string): Error {
  if (e instanceof SshError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new SshError(`SFTP ${what} on ${target.id} failed: ${msg}`, { hostId: target.id, cause: e });
}
