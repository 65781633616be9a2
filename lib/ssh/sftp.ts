// lib/ssh/sftp.ts — file transfer over the pooled connection (SFTP).
//
// writeFileAtomic puts the content into a temporary file next to the target,
// sets its mode, flushes it (fsync@openssh.com when offered) and renames it
// over the target with posix-rename@openssh.com, so a reader sees either the
// old file or the new one, never half of it. Servers without that extension
// get remove + rename (atomic except for a short moment without the file).

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
  const dir = posix.dirname(path);
  const tmp = posix.join(dir, `.${posix.basename(path)}.hostdeck-${randomBytes(6).toString('hex')}.tmp`);

  await withSftp(target, 'writeFileAtomic', options, async (sftp) => {
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
  });
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

function hasExtension(sftp: SFTPWrapper, name: string): boolean {
  const ext = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
  return !!ext && ext[name] === '1';
}

function wrap(e: unknown, target: SshTarget, what: string): Error {
  if (e instanceof SshError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new SshError(`SFTP ${what} on ${target.id} failed: ${msg}`, { hostId: target.id, cause: e });
}
