// lib/db/embedded/data-location.ts — owns where PGDATA really is. Normally the
// configured folder itself. As root, the server runs as the `postgres` user;
// when that user cannot reach the configured folder (a checkout under /root, or
// inside a `mktemp -d` folder), the cluster lives in
// /var/lib/hostdeck/<id>/postgres instead — <id> a short hash of the configured
// folder's real path, so every start with the same configuration finds the same
// data — owned by `postgres`, and the configured folder becomes a symlink to it
// (`ls -l .data` shows where). /var/lib/hostdeck/<id>/source names the
// configured folder. Everything else (password, log, lock, owner record) stays
// next to the configured folder: only our own process touches those files.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { OS_USER, RELOCATION_ROOT, type Ids } from './common';
import { allowTraversal, blockingFolder, canReach } from './os-user';

export interface DataLocation {
  /** The folder the server runs on (`-D`). */
  dataDir: string;
  /** Set when it is not the configured folder: a sentence for the start-up log. */
  note?: string;
}

/** /var/lib/hostdeck/<id>: <id> from the configured folder's real path. */
export async function relocationHome(configured: string): Promise<string> {
  const parent = await fs.realpath(path.dirname(configured));
  const id = createHash('sha256')
    .update(path.join(parent, path.basename(configured)))
    .digest('hex')
    .slice(0, 12);
  return path.join(RELOCATION_ROOT, id);
}

export async function locateDataDir(configured: string, ids: Ids | undefined, log: (m: string) => void): Promise<DataLocation> {
  if (!ids) return { dataDir: configured };
  const parent = path.dirname(configured);
  const link = await fs.lstat(configured).catch(() => undefined);

  if (link?.isSymbolicLink()) {
    // Relocated before (or pointed elsewhere by the operator): follow the link.
    const target = path.resolve(parent, await fs.readlink(configured));
    if (target.startsWith(RELOCATION_ROOT + path.sep)) await makeHome(path.dirname(target), configured);
    if (!canReach(ids, path.dirname(target))) {
      throw new Error(
        `embedded Postgres: ${configured} links to ${target}, which the '${OS_USER}' user cannot reach ` +
          `(blocked at ${blockingFolder(ids, path.dirname(target))})`,
      );
    }
    return { dataDir: target, note: target.startsWith(RELOCATION_ROOT + path.sep) ? noteFor(configured, target, ids) : undefined };
  }

  await allowTraversal(parent);
  if (canReach(ids, parent)) return { dataDir: configured };

  // Relocate: the cluster goes under /var/lib/hostdeck, the configured folder links there.
  const home = await relocationHome(configured);
  const target = path.join(home, path.basename(configured));
  await makeHome(home, configured);
  if ((await fs.readdir(target).catch(() => [])).length > 0) {
    // Its link went with the configured folder, and so did the password kept
    // beside that folder: nothing can open this cluster any more. Removing the
    // data folder (`rm -rf .data`) starts afresh, as it does without relocation.
    await fs.rm(target, { recursive: true, force: true });
    log(`embedded Postgres: removed ${target}, left behind when ${configured} (its link) was deleted`);
  }
  if (link?.isDirectory()) {
    const entries = await fs.readdir(configured);
    if (entries.includes('PG_VERSION')) {
      // A cluster made while the folder was reachable: move it (same file system only).
      try {
        await fs.rename(configured, target);
      } catch (err) {
        throw new Error(
          `embedded Postgres: the '${OS_USER}' user cannot reach ${configured}, and moving it to ${target} failed ` +
            `(${(err as NodeJS.ErrnoException).code}); move it there yourself and link it: ln -s ${target} ${configured}`,
        );
      }
    } else if (entries.length > 0) {
      throw new Error(`embedded Postgres: ${configured} is not empty and is not a PostgreSQL data folder; refusing to touch it`);
    } else {
      await fs.rmdir(configured);
    }
  }
  await fs.symlink(target, configured).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
  });
  const note = noteFor(configured, target, ids);
  log(`embedded Postgres: ${note}`);
  return { dataDir: target, note };
}

function noteFor(configured: string, target: string, ids: Ids): string {
  return (
    `the data is in ${target} (${configured} links there): running as root, the server runs as the '${OS_USER}' user, ` +
    `which cannot reach ${path.dirname(configured)} (blocked at ${blockingFolder(ids, path.dirname(configured))})`
  );
}

/** /var/lib/hostdeck (0755) and /var/lib/hostdeck/<id> (0711: the postgres user passes, cannot list), owned by root. */
async function makeHome(home: string, configured: string): Promise<void> {
  await fs.mkdir(RELOCATION_ROOT, { recursive: true, mode: 0o755 });
  await fs.mkdir(home, { recursive: true, mode: 0o711 });
  await fs.chmod(home, 0o711);
  const source = path.join(home, 'source');
  const text = `${configured}\n`;
  if ((await fs.readFile(source, 'utf8').catch(() => '')) !== text) await fs.writeFile(source, text, { mode: 0o644 });
}
