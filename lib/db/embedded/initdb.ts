// lib/db/embedded/initdb.ts — owns making a new cluster: the superuser
// password file (kept next to the data folder, mode 0600) and initdb, run into
// a sibling folder and renamed into place, so a crash during initdb never
// leaves a half-made cluster where a real one is expected.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { SUPERUSER, childEnv, tailOf, type Binaries, type Ids, type Paths } from './common';
import { makeOwnedDir } from './os-user';
import { isAlive } from './process';

export async function readOrCreatePassword(file: string): Promise<{ password: string; created: boolean }> {
  try {
    const password = (await fs.readFile(file, 'utf8')).trim();
    if (password) return { password, created: false };
  } catch {
    // create below
  }
  const password = randomBytes(18).toString('hex');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return { password, created: true };
}

export async function initialise(
  bin: Binaries,
  paths: Paths,
  ids: Ids | undefined,
  password: string,
  log: (m: string) => void,
): Promise<void> {
  const parent = path.dirname(paths.dataDir);
  // Leftovers of an initdb whose process died.
  for (const name of await fs.readdir(parent)) {
    const m = /\.(?:init|pwfile)-(\d+)$/.exec(name);
    if (m && name.startsWith(`${path.basename(paths.dataDir)}.`)) {
      const pid = Number(m[1]);
      if (!isAlive(pid)) await fs.rm(path.join(parent, name), { recursive: true, force: true });
    }
  }
  const tmpDir = `${paths.dataDir}.init-${process.pid}`;
  await fs.rm(tmpDir, { recursive: true, force: true });
  await makeOwnedDir(tmpDir, ids);
  const pwFile = `${paths.dataDir}.pwfile-${process.pid}`;
  await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
  if (ids) await fs.chown(pwFile, ids.uid, ids.gid);
  log(`embedded Postgres: initialising ${paths.dataDir}`);
  const t0 = Date.now();
  const logFd = openSync(paths.logFile, 'a', 0o600);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(
        bin.initdb,
        [
          `--pgdata=${tmpDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwFile}`,
          '--auth-local=trust', // the socket lives inside PGDATA (0700): only root and the postgres user reach it
          '--auth-host=scram-sha-256',
          '--encoding=UTF8',
          '--locale=C',
          '--locale-provider=builtin',
          '--builtin-locale=C.UTF-8',
        ],
        { stdio: ['ignore', logFd, logFd], env: childEnv(), ...(ids ?? {}) },
      );
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    if (code !== 0)
      throw new Error(`embedded Postgres: initdb failed (exit ${code}); see ${paths.logFile}:\n${await tailOf(paths.logFile, 2000)}`);
  } catch (err) {
    await fs.rm(tmpDir, { recursive: true, force: true });
    throw err;
  } finally {
    closeSync(logFd);
    await fs.rm(pwFile, { force: true });
  }
  // An empty target folder (e.g. made by the caller) is replaced by the rename.
  await fs.rmdir(paths.dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await fs.rename(tmpDir, paths.dataDir);
  log(`embedded Postgres: initialised in ${Date.now() - t0} ms`);
}
