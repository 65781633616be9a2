// lib/db/embedded/server.ts — owns running the server: start (initialise when
// empty, reuse when not), attach to a server another live process runs, adopt
// one left running by a dead process, recover after a crash or `kill -9`
// (stale postmaster.pid, leftover backends), credentials and the app database,
// and the handle whose stop() does a fast shutdown.
// Nothing persisted depends on the port: it is chosen at each start and read
// back from postmaster.pid when a running server is reused.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  MAX_LOG_BYTES,
  OS_USER,
  START_TIMEOUT_MS,
  SUPERUSER,
  buildUrl,
  childEnv,
  freePort,
  sizeOf,
  sleep,
  socketDirFor,
  tailOf,
  type Binaries,
  type EmbeddedPostgres,
  type Ids,
  type Paths,
  type StartEmbeddedPostgresOptions,
} from './common';
import { loadBinaries, reachableBinaries } from './binaries';
import { locateDataDir } from './data-location';
import { initialise, readOrCreatePassword } from './initdb';
import { isRoot, postgresUserIds } from './os-user';
import { acquireLock, isAlive, isPostmasterOf, isSameProcess, readOwner, readPidFile, shutdownPostmaster, writeOwner } from './process';

interface Running {
  pid: number;
  port: number;
  child?: ChildProcess;
}

async function spawnServer(bin: Binaries, paths: Paths, ids: Ids | undefined, port: number): Promise<Running | { failed: string }> {
  const socketDir = socketDirFor(paths.dataDir, port);
  const logStart = await sizeOf(paths.logFile);
  const logFd = openSync(paths.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(
      bin.postgres,
      [
        '-D',
        paths.dataDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${socketDir}`,
        '-c',
        'unix_socket_permissions=0700',
      ],
      { stdio: ['ignore', logFd, logFd], env: childEnv(), ...(ids ?? {}) },
    );
  } finally {
    closeSync(logFd);
  }
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const spawnError = new Promise<Error>((resolve) => child.on('error', resolve));
  let error: Error | undefined;
  void spawnError.then((e) => (error = e));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (error) throw new Error(`embedded Postgres: cannot run ${bin.postgres}: ${error.message}`);
    if (exited) return { failed: await tailOf(paths.logFile, 4000, logStart) };
    const pf = readPidFile(paths.dataDir);
    if (pf && pf.pid === child.pid && pf.status === 'ready') return { pid: child.pid, port, child };
    await sleep(20);
  }
  child.kill('SIGQUIT');
  throw new Error(`embedded Postgres: the server did not become ready within ${START_TIMEOUT_MS / 1000}s; see ${paths.logFile}`);
}

/**
 * Leftovers of a dead postmaster. Its postmaster.pid is kept: it records the old
 * shared-memory segment, which Postgres checks so that a new server never runs
 * while backends of the old one are still alive (the data-safety interlock). But
 * when the PID in it now belongs to an unrelated process (PID reuse, common in
 * containers), Postgres would refuse to start; then the PID is replaced by ours,
 * which Postgres ignores as its parent's, keeping the shared-memory check.
 * Socket lock files carry no such interlock and are simply removed.
 */
async function clearStaleFiles(dataDir: string): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const pf = readPidFile(dataDir);
  if (pf && isPostmasterOf(pf.pid, dataDir)) throw new Error(`embedded Postgres: a server (pid ${pf.pid}) still runs on ${dataDir}`);
  if (pf && isAlive(pf.pid) && pf.pid !== process.pid) {
    const lines = (await fs.readFile(pidFile, 'utf8')).split('\n');
    lines[0] = String(process.pid);
    await fs.writeFile(pidFile, lines.join('\n'));
  }
  for (const name of await fs.readdir(dataDir)) {
    if (name.startsWith('.s.PGSQL.')) await fs.rm(path.join(dataDir, name), { force: true });
  }
}

async function startFresh(
  bin: Binaries,
  paths: Paths,
  ids: Ids | undefined,
  wantedPort: number | undefined,
  log: (m: string) => void,
): Promise<Running> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lastFailure = '';
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    const port = wantedPort ?? (await freePort());
    const r = await spawnServer(bin, paths, ids, port);
    if (!('failed' in r)) return r;
    lastFailure = r.failed;
    const lastLines = r.failed.split('\n').slice(-12).join('\n');
    const portTaken = /could not bind|could not create any TCP\/IP sockets|Address already in use/.test(lastLines);
    // Backends of a killed postmaster may still hold the old shared memory for a moment.
    const oldStillThere = /is still in use|lock file .* already exists|Is another postmaster/.test(lastLines);
    if (portTaken && wantedPort === undefined && attempt < 10) continue;
    if (oldStillThere && attempt < 200) {
      if (attempt === 0) log('embedded Postgres: waiting for the processes of the previous server to exit');
      await sleep(100);
      continue;
    }
    break;
  }
  throw new Error(`embedded Postgres: the server failed to start; see ${paths.logFile}:\n${lastFailure.split('\n').slice(-15).join('\n')}`);
}

async function connectClient(config: pg.ClientConfig): Promise<pg.Client> {
  const client = new pg.Client({ ...config, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Check the password works over TCP; if the password file was lost, reset it over the private socket. */
async function ensureCredentials(port: number, socketDir: string, password: string): Promise<boolean> {
  try {
    const c = await connectClient({ host: '127.0.0.1', port, user: SUPERUSER, password, database: 'postgres' });
    await c.end();
    return true;
  } catch (err) {
    if ((err as { code?: string }).code !== '28P01' || !socketDir) throw err;
  }
  const c = await connectClient({ host: socketDir, port, user: SUPERUSER, database: 'postgres' });
  try {
    // Keep the statement (it contains the password) out of the server log whatever happens.
    await c.query(`SET log_min_error_statement = panic; SET log_statement = 'none'`);
    await c.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${c.escapeLiteral(password)}`);
  } finally {
    await c.end();
  }
  return false;
}

async function ensureDatabase(url: string, database: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const c = await connectClient({ connectionString: admin.toString() });
  try {
    const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) {
      try {
        await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`);
      } catch (err) {
        if ((err as { code?: string }).code !== '42P04') throw err; // created concurrently
      }
    }
  } finally {
    await c.end();
  }
}

async function rotateLog(logFile: string): Promise<void> {
  try {
    const st = await fs.stat(logFile);
    if (st.size > MAX_LOG_BYTES) await fs.rename(logFile, `${logFile}.1`);
  } catch {
    // no log yet
  }
}

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.onLog ?? (() => undefined);
  const database = options.database ?? 'hostdeck';
  const configured = path.resolve(options.dataDir);
  const parent = path.dirname(configured);
  const base = path.basename(configured);
  if (os.platform() === 'win32') throw new Error('embedded Postgres: not supported on Windows by this launcher');

  const ids = isRoot() ? postgresUserIds() : undefined;
  const notes: string[] = [];
  let bin = await loadBinaries(options.binaryPackageDir);
  if (ids) {
    const reachable = await reachableBinaries(bin, ids, log);
    bin = reachable.bin;
    if (reachable.note) notes.push(reachable.note);
  }
  await fs.mkdir(parent, { recursive: true });

  const release = await acquireLock(path.join(parent, `${base}.lock`));
  try {
    const location = await locateDataDir(configured, ids, log);
    if (location.note) notes.push(location.note);
    const dataDir = location.dataDir;
    const paths: Paths = {
      dataDir,
      logFile: path.join(parent, `${base}.log`),
      passwordFile: path.join(parent, `${base}.password`),
      ownerFile: path.join(parent, `${base}.owner`),
      lockFile: path.join(parent, `${base}.lock`),
    };
    await rotateLog(paths.logFile);
    const { password, created } = await readOrCreatePassword(paths.passwordFile);

    // 1. The data folder: initialise when missing or empty, refuse anything else.
    let entries: string[] = [];
    try {
      entries = await fs.readdir(dataDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!entries.includes('PG_VERSION')) {
      if (entries.length > 0)
        throw new Error(`embedded Postgres: ${dataDir} is not empty and is not a PostgreSQL data folder; refusing to touch it`);
      await initialise(bin, paths, ids, password, log);
    } else {
      const st = await fs.stat(dataDir);
      if (ids && st.uid !== ids.uid)
        throw new Error(`embedded Postgres: ${dataDir} is owned by uid ${st.uid}, not by the '${OS_USER}' user`);
      if ((st.mode & 0o077) !== 0) await fs.chmod(dataDir, 0o700); // e.g. after a copy; Postgres refuses group/other access
    }

    // 2. A server may already run on this folder: ours from another live process
    //    (attach), or left behind by a dead one (adopt, or stop it if unhealthy).
    let running: Running | undefined;
    let owned = true;
    const pf = readPidFile(dataDir);
    if (pf && isPostmasterOf(pf.pid, dataDir)) {
      if (pf.status === 'ready' && pf.port > 0) {
        const owner = readOwner(paths.ownerFile);
        const ownerAlive = owner !== undefined && isSameProcess(owner.pid, owner.startTime);
        try {
          await ensureCredentials(pf.port, pf.socketDir, password);
          running = { pid: pf.pid, port: pf.port };
          owned = !ownerAlive;
          log(
            `embedded Postgres: ${owned ? 'adopting the server left running by a previous process' : `attaching to the server run by process ${owner?.pid}`} (pid ${pf.pid})`,
          );
        } catch (err) {
          if (ownerAlive) throw err;
          log(`embedded Postgres: the leftover server (pid ${pf.pid}) does not answer; stopping it`);
          await shutdownPostmaster(pf.pid);
        }
      } else {
        // starting or stopping: let it finish stopping, then start our own.
        log(`embedded Postgres: waiting for the previous server (pid ${pf.pid}, ${pf.status || 'unknown state'}) to stop`);
        await shutdownPostmaster(pf.pid);
      }
    }
    if (!running) {
      await clearStaleFiles(dataDir);
      running = await startFresh(bin, paths, ids, options.port, log);
      const socketDir = socketDirFor(dataDir, running.port);
      const passwordWorked = await ensureCredentials(running.port, socketDir, password);
      if (!passwordWorked && !created) log('embedded Postgres: the stored password did not match; it was reset');
    }
    if (owned) await writeOwner(paths.ownerFile);

    const url = buildUrl(password, running.port, database);
    await ensureDatabase(url, database);

    return makeHandle(running, owned, configured, paths, { dataDir, binDir: path.dirname(bin.postgres), notes }, password, database);
  } finally {
    await release();
  }
}

function makeHandle(
  running: Running,
  owned: boolean,
  configured: string,
  paths: Paths,
  placement: EmbeddedPostgres['placement'],
  password: string,
  database: string,
): EmbeddedPostgres {
  const { pid, port, child } = running;
  let stopped = false;
  // If this process exits without stop(), ask the server for a fast shutdown anyway
  // (it finishes on its own). A `kill -9` skips this: the next start adopts the server.
  const onExit = () => {
    if (!stopped && owned) {
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
  };
  if (owned) process.on('exit', onExit);
  child?.unref();

  return {
    url: buildUrl(password, port, database),
    port,
    dataDir: configured,
    placement,
    pid,
    owned,
    urlFor: (db: string) => buildUrl(password, port, db),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', onExit);
      if (!owned) return;
      const owner = readOwner(paths.ownerFile);
      await shutdownPostmaster(pid);
      if (owner?.pid === process.pid) await fs.rm(paths.ownerFile, { force: true });
    },
  };
}
