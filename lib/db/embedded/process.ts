// lib/db/embedded/process.ts — owns processes and the files that name them:
// liveness and identity of a PID (start time, so a reused PID is not mistaken
// for ours), the postmaster.pid file, the start lock (one starter per data
// folder at a time, across processes) and the owner record (which process will
// stop the running server), and stopping a postmaster.
import { existsSync, readFileSync, openSync, closeSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { LOCK_TIMEOUT_MS, STOP_TIMEOUT_MS, sleep } from './common';

/** Start time of a process (clock ticks since boot, Linux); undefined when unknown. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may contain spaces; fields after the closing paren are space-separated.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (an orphan reparented to a PID 1 that never reaps stays a zombie). */
export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return !existsSync('/proc/self/stat'); // no /proc: trust kill(0); with /proc: it just exited
  }
}

/** Is `pid` a live process with the identity recorded earlier (pid + start time)? */
export function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

/** Is `pid` a postmaster serving `dataDir` (not a reused PID, not another cluster)? */
export function isPostmasterOf(pid: number, dataDir: string): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (!path.basename(argv[0] ?? '').startsWith('postgres')) return false;
    const i = argv.indexOf('-D');
    return i >= 0 && path.resolve(argv[i + 1] ?? '') === dataDir;
  } catch {
    // No /proc (not Linux): trust the pid file, as Postgres itself does.
    return true;
  }
}

export async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT, WAL-safe) if that hangs. */
export async function shutdownPostmaster(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  if (await waitUntilGone(pid, STOP_TIMEOUT_MS)) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  if (!(await waitUntilGone(pid, 10_000))) throw new Error(`embedded Postgres: postmaster ${pid} did not exit`);
}

// ---------------------------------------------------------------------------
// postmaster.pid

export interface PidFile {
  pid: number;
  port: number;
  socketDir: string;
  status: string;
}

export function readPidFile(dataDir: string): PidFile | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  return {
    pid: Number(lines[0]),
    port: Number(lines[3]),
    socketDir: (lines[4] ?? '').trim(),
    status: (lines[7] ?? '').trim(),
  };
}

// ---------------------------------------------------------------------------
// Start lock (one starter per data folder at a time, across processes)

export async function acquireLock(lockFile: string): Promise<() => Promise<void>> {
  const me = `${process.pid} ${processStartTime(process.pid) ?? ''}`;
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  for (;;) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, me);
      } finally {
        closeSync(fd);
      }
      return async () => {
        await fs.rm(lockFile, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder = '';
    try {
      holder = readFileSync(lockFile, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    const [pidText, start] = holder.trim().split(' ');
    const pid = Number(pidText);
    if (holder.trim() !== '' && !isSameProcess(pid, start || undefined)) {
      await fs.rm(lockFile, { force: true }); // its holder died while starting
      continue;
    }
    if (Date.now() > deadline) throw new Error(`embedded Postgres: timed out waiting for ${lockFile} (held by process ${pidText})`);
    await sleep(50);
  }
}

// ---------------------------------------------------------------------------
// Owner record

export interface Owner {
  pid: number;
  startTime?: string;
}

export function readOwner(ownerFile: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerFile, 'utf8')) as Owner;
    return Number.isInteger(o.pid) ? o : undefined;
  } catch {
    return undefined;
  }
}

export async function writeOwner(ownerFile: string): Promise<void> {
  const owner: Owner = { pid: process.pid, startTime: processStartTime(process.pid) };
  await fs.writeFile(ownerFile, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
}
