// Integration test of lib/ssh's reconnect logic against a real lab host whose
// sshd is stopped (listener and sessions killed) in the middle of a command
// and started again. Uses lab3 so other tests on lab1/lab2 are not disturbed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostUnreachableError, SshPool, exec, type SshTarget } from '@/lib/ssh';
import { ensureLab, labCtl, labIndex, labTarget, type LabHost } from '@/tests/helpers/lab';
import { waitFor } from '@/tests/helpers/wait';

let host: LabHost;
let target: SshTarget;
const pool = new SshPool({ keepaliveIntervalMs: 1000, keepaliveCountMax: 2, backoff: { initialMs: 100, maxMs: 1000 } });

beforeAll(async () => {
  const lab = await ensureLab(3);
  host = lab[2]!;
  target = await labTarget(host);
}, 180_000);

afterAll(async () => {
  await labCtl(['sshd-start', String(labIndex(host))]).catch(() => undefined);
  await pool.closeAll();
});

describe('connection loss and recovery', () => {
  it('sshd stopped during `sleep 5` → HostUnreachableError; after sshd-start the pool reconnects by itself', async () => {
    expect((await exec(target, ['true'], { pool })).code).toBe(0);
    expect(pool.status(target.id).connects).toBe(1);

    // a 5 s sleep (with a tag of its own, so it is this one) that is running on the host when sshd stops
    const seconds = `5.${Math.floor(Math.random() * 1e6)}`;
    const t0 = Date.now();
    const running = exec(target, ['sleep', seconds], { pool, timeoutMs: 20_000 }).catch((e) => e);
    await waitFor(async () => (await exec(target, ['pgrep', '-f', `^sleep ${seconds}$`], { pool })).code === 0, {
      timeoutMs: 3000,
      intervalMs: 25,
      what: 'the sleep to run on the host',
    });
    await labCtl(['sshd-stop', String(labIndex(host))]);
    const err = await running;
    const after = Date.now() - t0;
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.reason).toBe('connection-lost');
    expect(err.message).toMatch(/lost while "sleep" ran/);
    expect(after).toBeLessThan(4000); // reported when it happened, not after the command's 5 s

    // while sshd is down: refused, and the pool keeps retrying in the background
    const down = await exec(target, ['true'], { pool, timeoutMs: 5000 }).catch((e) => e);
    expect(down).toBeInstanceOf(HostUnreachableError);
    expect(down.reason).toBe('refused');
    expect(pool.status(target.id).state).toBe('reconnecting');

    await labCtl(['sshd-start', String(labIndex(host))]);
    // no exec here: the background reconnect alone brings the connection back
    const started = Date.now();
    await waitFor(() => pool.status(target.id).state === 'ready', { timeoutMs: 5000, intervalMs: 25, what: 'the pool to reconnect' });
    const waited = Date.now() - started;
    console.log(`reconnected ${waited} ms after sshd-start`);
    expect(pool.status(target.id).connects).toBe(2);
    expect(pool.status(target.id).lastError).toBeNull();
    const r = await exec(target, ['hostname'], { pool });
    expect(r.stdout.trim()).toBe(host.name);
    expect(pool.status(target.id).connects).toBe(2); // that exec reused the reconnected connection
  });

  it('a pool that never connected reports refused, then works once sshd is back', async () => {
    const fresh = new SshPool();
    try {
      await labCtl(['sshd-stop', String(labIndex(host))]);
      const err = await exec(target, ['true'], { pool: fresh }).catch((e) => e);
      expect(err).toBeInstanceOf(HostUnreachableError);
      expect(fresh.status(target.id).state).toBe('failed');
      await labCtl(['sshd-start', String(labIndex(host))]);
      expect((await exec(target, ['true'], { pool: fresh })).code).toBe(0);
      expect(fresh.status(target.id).state).toBe('ready');
    } finally {
      await labCtl(['sshd-start', String(labIndex(host))]);
      await fresh.closeAll();
    }
  });
});
