// lib/db/embedded/os-user.ts — owns the OS user the server runs as. PostgreSQL
// refuses to run as root, so as root it runs as `postgres` (created when
// missing); this module looks that user up, makes folders it owns, and asks
// whether that user can reach a path (and which folder blocks it if not).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { envOf, OS_USER, type Ids } from './common';

let idsCache: Ids | undefined;

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** As root, Postgres must run as an unprivileged user: `postgres`, created when missing. */
export function postgresUserIds(): Ids {
  if (idsCache) return idsCache;
  const lookup = (): Ids | undefined => {
    try {
      const uid = Number(execFileSync('id', ['-u', OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      const gid = Number(execFileSync('id', ['-g', OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : undefined;
    } catch {
      return undefined;
    }
  };
  let ids = lookup();
  if (!ids) {
    try {
      execFileSync(
        'useradd',
        ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', OS_USER],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
    } catch (err) {
      throw new Error(
        `embedded Postgres: running as root, and the '${OS_USER}' user is missing and could not be created: ${(err as Error).message}`,
      );
    }
    ids = lookup();
    if (!ids) throw new Error(`embedded Postgres: created the '${OS_USER}' user but cannot look it up`);
  }
  idsCache = ids;
  return ids;
}

/** mkdir + (as root) chown to the postgres user; Postgres wants 0700 on PGDATA. */
export async function makeOwnedDir(dir: string, ids: Ids | undefined): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(dir, ids.uid, ids.gid);
  await fs.chmod(dir, 0o700);
}

/** Can the postgres user enter `dir` (and execute `file`, when given)? Asked of the kernel, as that user. */
export function canReach(ids: Ids, dir: string, file?: string): boolean {
  return (
    spawnSync('/bin/sh', ['-c', 'cd "$1" && { [ -z "$2" ] || [ -x "$2" ]; }', 'sh', dir, file ?? ''], {
      stdio: 'ignore',
      uid: ids.uid,
      gid: ids.gid,
      env: envOf({ PATH: '/usr/bin:/bin' }),
    }).status === 0
  );
}

/** The folder nearest the root on the way to `target` that the postgres user cannot enter. */
export function blockingFolder(ids: Ids, target: string): string {
  let blocking = target;
  for (let dir = target; ; dir = path.dirname(dir)) {
    if (!canReach(ids, dir)) blocking = dir;
    if (dir === path.dirname(dir)) break;
  }
  return blocking;
}

/**
 * The data folder's own parent (ours: `.data`, or a mkdtemp folder, which is
 * 0700) is opened for traversal (o+x, no listing) when we own it; other
 * folders on the way are left alone.
 */
export async function allowTraversal(dir: string): Promise<void> {
  const st = await fs.stat(dir);
  if ((st.mode & 0o001) === 0 && st.uid === process.getuid?.()) await fs.chmod(dir, (st.mode & 0o7777) | 0o001);
}
