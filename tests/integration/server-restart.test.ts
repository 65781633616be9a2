// The real server on the embedded database: `kill -9` and a restart keep users
// and tokens; the CLI works beside a running server on the same data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runHostdeck } from '@/tests/helpers/cli';
import { waitFor } from '@/tests/helpers/wait';

const PORT = 3391;
const base = `http://127.0.0.1:${PORT}`;
let dataDir = '';
let server: ChildProcess | undefined;

function env() {
  return {
    ...process.env,
    NODE_ENV: 'production' as const,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    HOSTDECK_DATA_DIR: dataDir,
    HOSTDECK_ADMIN_PASSWORD: 'restart test password',
    DATABASE_URL: '',
  };
}

async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { env: env(), stdio: 'ignore' });
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
      return fetch(`${base}/api/v1/health`).then(
        (response) => response.ok,
        () => false,
      );
    },
    { timeoutMs: 90_000, intervalMs: 200, what: 'the server to answer /api/v1/health' },
  );
  return child;
}

/** Resolves when the process has exited (at once if it has already). */
function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

function cli(args: string[]) {
  return runHostdeck(args, { env: env() });
}

afterAll(async () => {
  if (server) {
    // the server stops its embedded PostgreSQL on SIGTERM: wait for that before removing its data folder
    server.kill('SIGTERM');
    await exited(server);
  }
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
    await exited(server);
    server = await startServer();

    const again = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    expect((await again.json()).user.username).toBe('admin');
    const users = JSON.parse((await cli(['user', 'list', '--json'])).stdout);
    expect(users.map((u: { username: string }) => u.username)).toEqual(['admin']);
  }, 240_000);
});
