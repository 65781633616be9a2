// Start-up figures: from launching the server to the first 200 from
// /api/v1/health on the embedded database (cold = new data folder, warm = reused),
// and the server's resident memory once up. Baselines in the same run: the
// embedded PostgreSQL alone (cold initdb / warm start), and stock `next start`
// of the same build for memory.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres';
import { result, type BenchResult } from '@/bench/types';

const PORT = 3390;

async function waitForHealth(url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

/** Resident memory of a process and its descendants (the server, not Postgres: that is a separate tree). */
async function rssKiB(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function timeServerStart(dataDir: string): Promise<{ ms: number; rss: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    env: {
      ...process.env,
      NODE_ENV: 'production' as const,
      PORT: String(PORT),
      HOST: '127.0.0.1',
      HOSTDECK_DATA_DIR: dataDir,
      DATABASE_URL: '',
      HOSTDECK_ADMIN_PASSWORD: '',
    },
    stdio: 'ignore',
  });
  try {
    await waitForHealth(`http://127.0.0.1:${PORT}/api/v1/health`);
    const ms = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000));
    return { ms, rss: await rssKiB(child.pid!) };
  } finally {
    await stop(child);
  }
}

async function timeStockNext(): Promise<number> {
  const child = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-p', String(PORT + 1), '-H', '127.0.0.1'], {
    env: { ...process.env, NODE_ENV: 'production' as const, DATABASE_URL: 'postgresql://unused@127.0.0.1:1/unused' },
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        await fetch(`http://127.0.0.1:${PORT + 1}/login`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await new Promise((r) => setTimeout(r, 1000));
    return await rssKiB(child.pid!);
  } finally {
    await stop(child);
  }
}

async function timePostgresAlone(dataDir: string): Promise<number> {
  const started = performance.now();
  const pg = await startEmbeddedPostgres({ dataDir });
  const ms = performance.now() - started;
  await pg.stop();
  return ms;
}

export async function benchStartup(): Promise<BenchResult[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-bench-'));
  try {
    const pgCold = await timePostgresAlone(path.join(root, 'pg-only'));
    const pgWarm = await timePostgresAlone(path.join(root, 'pg-only'));
    const cold = await timeServerStart(path.join(root, 'app'));
    const warm = await timeServerStart(path.join(root, 'app'));
    const stockRss = await timeStockNext();
    return [
      result('startup: npm start → first /api/v1/health 200, cold data folder', cold.ms, 'ms', {
        name: 'embedded PostgreSQL alone, cold (initdb + start)',
        value: pgCold,
      }),
      result('startup: npm start → first /api/v1/health 200, warm data folder', warm.ms, 'ms', {
        name: 'embedded PostgreSQL alone, warm start',
        value: pgWarm,
      }),
      result('server resident memory after start', warm.rss / 1024, 'MiB', {
        name: 'stock `next start` of the same build',
        value: stockRss / 1024,
      }),
    ];
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}
