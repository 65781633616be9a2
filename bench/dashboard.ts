// Server response time of the dashboard and the host and VM lists with 1,000
// hosts and 20,000 VMs in the database, against the same pages on an empty
// database (ratio; aim: under 3×). Real server, real PostgreSQL, real HTTP.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres';
import { applyMigrations } from '@/lib/db/migrate';
import { sha256Hex } from '@/lib/auth/crypto';
import { median, result, type BenchResult } from '@/bench/types';

const HOSTS = 1000;
const VMS_PER_HOST = 20;
const SAMPLES = 25;
const PAGES = ['/', '/hosts', '/vms', '/vms?q=vm-7'] as const;

async function seedSession(client: pg.Client): Promise<string> {
  const userId = randomUUID();
  const token = `bench-${randomUUID()}`;
  await client.query(`INSERT INTO "User" (id, username, "passwordHash", role, "updatedAt") VALUES ($1, 'bench', 'x', 'admin', now())`, [
    userId,
  ]);
  await client.query(`INSERT INTO "Session" (id, "userId", "expiresAt") VALUES ($1, $2, now() + interval '1 day')`, [
    sha256Hex(token),
    userId,
  ]);
  return token;
}

async function seedFleet(client: pg.Client): Promise<void> {
  const facts = JSON.stringify({ cpu: { count: 64 }, memory: { totalMiB: 262144 } });
  await client.query(
    `
    INSERT INTO "Host" (id, name, address, spec, facts, status, "updatedAt")
    SELECT gen_random_uuid(), 'hv-' || lpad(i::text, 4, '0'), '10.0.' || (i / 250) || '.' || (i % 250),
           '{}'::jsonb, $1::jsonb, (CASE WHEN i % 97 = 0 THEN 'unreachable' ELSE 'online' END)::"HostStatus", now()
    FROM generate_series(1, ${HOSTS}) AS i`,
    [facts],
  );
  await client.query(`
    INSERT INTO "Vm" (id, "hostId", name, uuid, vcpus, "memoryMiB", spec, "liveState", "updatedAt", tags)
    SELECT gen_random_uuid(), h.id, 'vm-' || n, gen_random_uuid(), 2, 4096, '{}'::jsonb,
           (CASE WHEN n % 3 = 0 THEN 'shut_off' ELSE 'running' END)::"VmLiveState", now(), ARRAY['bench']
    FROM "Host" h CROSS JOIN generate_series(1, ${VMS_PER_HOST}) AS n`);
  // As autovacuum would leave a fleet's tables: statistics, and the rows of a
  // bulk insert moved from the GIN indexes' pending lists into the indexes
  // (a manual ANALYZE does neither for GIN; searching a pending list is a scan).
  await client.query('VACUUM ANALYZE');
}

async function startServer(databaseUrl: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production' as const,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      HOSTDECK_SECRET_KEY: 'bench-secret-key-0123456789abcdef',
      HOSTDECK_ADMIN_PASSWORD: '',
    },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/health`)).ok) return child;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error('server did not start');
}

async function timePage(port: number, page: string, cookie: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES + 3; i++) {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}${page}`, { headers: { cookie }, redirect: 'manual' });
    await response.text();
    if (response.status !== 200) throw new Error(`${page} answered ${response.status}`);
    if (i >= 3) times.push(performance.now() - started);
  }
  return median(times);
}

async function measure(url: string, port: number, token: string): Promise<Record<string, number>> {
  const server = await startServer(url, port);
  try {
    const out: Record<string, number> = {};
    for (const page of PAGES) out[page] = await timePage(port, page, `hostdeck_session=${token}`);
    return out;
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
  }
}

export async function benchDashboard(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-bench-dash-'));
  const server = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), database: 'postgres' });
  try {
    const urls: Record<'empty' | 'fleet', string> = { empty: server.urlFor('bench_empty'), fleet: server.urlFor('bench_fleet') };
    const tokens: Record<string, string> = {};
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    for (const [name, url] of Object.entries(urls)) {
      await admin.query(`CREATE DATABASE bench_${name}`);
      await applyMigrations(url, path.join(process.cwd(), 'prisma/migrations'));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      tokens[name] = await seedSession(client);
      if (name === 'fleet') await seedFleet(client);
      await client.end();
    }
    await admin.end();
    const empty = await measure(urls.empty, 3392, tokens.empty!);
    const fleet = await measure(urls.fleet, 3393, tokens.fleet!);
    return PAGES.map((page) =>
      result(`page ${page} with ${HOSTS} hosts / ${HOSTS * VMS_PER_HOST} VMs (median of ${SAMPLES})`, fleet[page]!, 'ms', {
        name: `same page, empty database`,
        value: empty[page]!,
      }),
    );
  } finally {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
