// The real server on the embedded database: `kill -9` and a restart keep users
// and tokens; the CLI works beside a running server on the same data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '@/tests/helpers/cli';

const PORT = 3391;
const base = `http://127.0.0.1:${PORT}`;
let dataDir = '';
let server: ChildProcess | undefined;

function env() {
  return { ...process.env, NODE_ENV: 'production' as const, PORT: String(PORT), HOST: '127.0.0.1', HOSTDECK_DATA_DIR: dataDir, HOSTDECK_ADMIN_PASSWORD: 'restart test password', DATABASE_URL: '' };
}

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { env: env(), stdio: 'ignore' });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('server did not come up');
}

function cli(args: string[]) {
  return runHostdeck(args, { env: env() });
}

afterAll(async () => {
  server?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 2000));
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('server restart on the embedded database', () => {
  it('keeps users and tokens after kill -9', async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-restart-'));
    server = await startServer();

    // The CLI attaches to the running server's PostgreSQL instead of starting another.
    const created = await cli(['token', 'create', '--user', 'admin', '--name', 'survivor', '--role', 'viewer']);
    expect(created.stderr).not.toMatch(/failed|Error/);
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    const me = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);

    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    server = await startServer();

    const again = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    expect((await again.json()).user.username).toBe('admin');
    const users = JSON.parse((await cli(['user', 'list', '--json'])).stdout);
    expect(users.map((u: { username: string }) => u.username)).toEqual(['admin']);
  }, 240_000);
});
