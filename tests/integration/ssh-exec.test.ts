// Integration tests of lib/ssh against real lab hosts (OpenSSH sshd + libvirtd in
// network namespaces, scripts/lab.sh): host-key pinning, authentication,
// exec with hostile arguments, stdin, timeouts and the channel cap.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { release } from 'node:os';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@/tests/helpers/wait';
import {
  AuthFailedError,
  CommandFailedError,
  CommandTimeoutError,
  HostKeyMismatchError,
  HostKeyNotPinnedError,
  HostUnreachableError,
  SshPool,
  exec,
  generateEd25519KeyPair,
  probeHostKey,
  probeHostKeyInfo,
  type SshTarget,
} from '@/lib/ssh';
import { ensureLab, labTarget, sshArgs, type LabHost } from '@/tests/helpers/lab';

const execFileP = promisify(execFile);

let lab: [LabHost, LabHost];
let t1: SshTarget;
let t2: SshTarget;
const pool = new SshPool({ idleMs: 60_000 });

beforeAll(async () => {
  lab = (await ensureLab(2)) as [LabHost, LabHost];
  t1 = await labTarget(lab[0]);
  t2 = await labTarget(lab[1]);
}, 180_000);

afterAll(async () => {
  await pool.closeAll();
});

describe('host keys', () => {
  it('probeHostKey reads the fingerprint without logging in', async () => {
    expect(await probeHostKey({ address: lab[0].address, port: 22 })).toBe(lab[0].hostKeyFingerprint);
    const info = await probeHostKeyInfo({ address: lab[1].address, port: 22 });
    expect(info.fingerprint).toBe(lab[1].hostKeyFingerprint);
    expect(info.keyType).toBe('ssh-ed25519');
    expect(info.publicKeyOpenSsh).toMatch(/^ssh-ed25519 AAAA/);
  });

  it('connects with the pinned key and runs a command', async () => {
    const r = await exec(t1, ['hostname'], { pool, timeoutMs: 15_000 });
    expect(r).toMatchObject({ code: 0, stdout: 'lab1\n', stderr: '' });
    expect(pool.status(t1.id).state).toBe('ready');
  });

  it('refuses a host whose key differs from the pinned one, and no command runs', async () => {
    const marker = `/tmp/hostdeck-mismatch-${randomBytes(6).toString('hex')}`;
    // lab1's address with lab2's fingerprint pinned: as if someone replaced the host
    const wrong: SshTarget = { ...t1, id: 'lab1-wrong-pin', pinnedFingerprint: lab[1].hostKeyFingerprint };
    const err = await exec(wrong, ['touch', marker], { pool, timeoutMs: 15_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(err).toMatchObject({ expected: lab[1].hostKeyFingerprint, actual: lab[0].hostKeyFingerprint });
    expect(String(err.message)).toMatch(/host key mismatch/);
    // again (a changed key stops all traffic, every time)
    await expect(exec(wrong, ['touch', marker], { pool })).rejects.toBeInstanceOf(HostKeyMismatchError);
    expect(pool.status('lab1-wrong-pin').state).toBe('failed');
    // the marker was never created
    const check = await exec(t1, ['test', '-e', marker], { pool });
    expect(check.code).toBe(1);
  });

  it('refuses an unpinned host unless the pool allows it', async () => {
    const unpinned: SshTarget = { ...t1, id: 'lab1-unpinned', pinnedFingerprint: undefined };
    const err = await exec(unpinned, ['true'], { pool }).catch((e) => e);
    expect(err).toBeInstanceOf(HostKeyNotPinnedError);
    expect(err.actual).toBe(lab[0].hostKeyFingerprint);
    const lax = new SshPool({ requirePinnedHostKey: false });
    try {
      expect((await exec(unpinned, ['true'], { pool: lax })).code).toBe(0);
    } finally {
      await lax.closeAll();
    }
  });

  it('a key the host does not know gives AuthFailedError', async () => {
    const stranger: SshTarget = { ...t1, id: 'lab1-stranger', privateKey: generateEd25519KeyPair().privateKeyOpenSsh };
    await expect(exec(stranger, ['true'], { pool })).rejects.toBeInstanceOf(AuthFailedError);
  });

  it('a closed port gives HostUnreachableError(refused)', async () => {
    const closed: SshTarget = { ...t1, id: 'lab1-closed-port', port: 2222 };
    const err = await exec(closed, ['true'], { pool }).catch((e) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect(err.reason).toBe('refused');
    await expect(probeHostKey({ address: lab[0].address, port: 2222 })).rejects.toBeInstanceOf(HostUnreachableError);
  });
});

describe('exec', () => {
  it('virsh list --all matches what OpenSSH + virsh report for the lab domains', async () => {
    const ours = await exec(t1, ['virsh', 'list', '--all'], { pool });
    expect(ours.code).toBe(0);
    const { stdout: theirs } = await execFileP('ssh', [...sshArgs(lab[0]), 'virsh', 'list', '--all']);
    expect(ours.stdout).toBe(theirs);
    expect(ours.stdout).toMatch(/lab-vm-1\s+running/);
    expect(ours.stdout).toMatch(/lab-vm-2\s+shut off/);
    const names = await exec(t2, ['virsh', 'list', '--all', '--name'], { pool });
    expect(names.stdout.split('\n').filter(Boolean)).toEqual(expect.arrayContaining(['lab-vm-1', 'lab-vm-2']));
  });

  it('uname -r matches the kernel (the lab hosts share this machine’s kernel)', async () => {
    const r = await exec(t1, ['uname', '-r'], { pool });
    expect(r.stdout.trim()).toBe(release());
  });

  it('hostile arguments arrive unchanged and nothing is executed', async () => {
    const hostile = ['$(id)', '`id`', "'; id; '", 'a b', '*', '~', 'x=y', '\n', '"', '\\', '$HOME', 'ünï ✓', ''];
    const r = await exec(t1, ['printf', '%s\\0', ...hostile], { pool });
    expect(r.code).toBe(0);
    const words = r.stdout.split('\0');
    words.pop();
    expect(words).toEqual(hostile);
  });

  it('passes stdin (virsh define /dev/stdin) and binary data', async () => {
    const name = `hostdeck-it-${randomBytes(4).toString('hex')}`;
    const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os></domain>`;
    const def = await exec(t1, ['virsh', 'define', '/dev/stdin'], { pool, stdin: xml });
    expect(def.stderr).toBe('');
    expect(def.stdout).toContain(`Domain '${name}' defined`);
    try {
      const list = await exec(t1, ['virsh', 'list', '--all', '--name'], { pool });
      expect(list.stdout).toContain(name);
    } finally {
      await exec(t1, ['virsh', 'undefine', name], { pool, check: true });
    }
    const bin = randomBytes(300_000);
    const cat = await exec(t1, ['cat'], { pool, stdin: bin });
    expect(cat.stdoutBuffer.equals(bin)).toBe(true);
  });

  it('reports exit codes, and check: true throws CommandFailedError', async () => {
    const r = await exec(t1, ['sh', '-c', 'echo out; echo err >&2; exit 3'], { pool });
    expect(r).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n', signal: null });
    const err = await exec(t1, ['virsh', 'dominfo', 'no-such-domain'], { pool, check: true }).catch((e) => e);
    expect(err).toBeInstanceOf(CommandFailedError);
    expect(err.code).toBe(1);
    expect(err.message).toMatch(/failed to get domain/i);
  });

  it('a command that hangs hits its timeout, and the remote process is killed', async () => {
    const tag = `31.${Math.floor(Math.random() * 1e6)}`;
    const t0 = Date.now();
    const err = await exec(t1, ['sleep', tag], { pool, timeoutMs: 1000 }).catch((e) => e);
    const took = Date.now() - t0;
    expect(err).toBeInstanceOf(CommandTimeoutError);
    expect(err).toMatchObject({ timeoutMs: 1000, phase: 'running', program: 'sleep' });
    expect(took).toBeGreaterThanOrEqual(990);
    expect(took).toBeLessThan(2500);
    // the sleep is gone on the host
    await waitFor(async () => (await exec(t1, ['pgrep', '-f', `^sleep ${tag}$`], { pool })).code === 1, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: `the remote sleep ${tag} to be killed`,
    });
    // the connection is still fine
    expect((await exec(t1, ['true'], { pool })).code).toBe(0);
  });

  it('50 parallel execs stay within the channel cap and all complete', async () => {
    const capPool = new SshPool({ maxChannelsPerConnection: 8 });
    const dir = `/tmp/hostdeck-cap-${randomBytes(6).toString('hex')}`;
    // Each command registers itself in `dir` while it runs and reports how many are running on the host.
    const script = 'd=$1; mkdir -p "$d/$$"; sleep 0.2; n=$(ls "$d" | wc -l); rmdir "$d/$$"; echo "$n"';
    try {
      const t0 = Date.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, () => exec(t1, ['sh', '-c', script, 'sh', dir], { pool: capPool, timeoutMs: 30_000 })),
      );
      const took = Date.now() - t0;
      expect(results.every((r) => r.code === 0)).toBe(true);
      const seenOnHost = Math.max(...results.map((r) => Number(r.stdout.trim())));
      const st = capPool.status(t1.id);
      expect(st.maxOpenChannels).toBe(8); // the cap was reached...
      expect(seenOnHost).toBeLessThanOrEqual(8); // ...and never exceeded, as counted on the host
      expect(seenOnHost).toBeGreaterThanOrEqual(2);
      expect(st.connects).toBe(1); // one connection
      expect(st.openChannels).toBe(0);
      expect(st.queued).toBe(0);
      // 50 × 0.2 s in waves of 8 ≈ 7 waves
      expect(took).toBeGreaterThan(6 * 200);
      console.log(`50 parallel execs: ${took} ms, max ${st.maxOpenChannels} channels open (client), ${seenOnHost} running at once (host)`);
    } finally {
      await exec(t1, ['rm', '-rf', dir], { pool: capPool });
      await capPool.closeAll();
    }
  });

  it('a timeout while queued frees the queue slot', async () => {
    const small = new SshPool({ maxChannelsPerConnection: 1 });
    try {
      const long = exec(t1, ['sleep', '1'], { pool: small, timeoutMs: 10_000 });
      const queued = await exec(t1, ['true'], { pool: small, timeoutMs: 300 }).catch((e) => e);
      expect(queued).toBeInstanceOf(CommandTimeoutError);
      expect(queued.phase).toBe('queued');
      expect((await long).code).toBe(0);
      expect(small.status(t1.id).queued).toBe(0);
      expect((await exec(t1, ['true'], { pool: small })).code).toBe(0);
    } finally {
      await small.closeAll();
    }
  });

  it('closes idle connections', async () => {
    const idle = new SshPool({ idleMs: 300 });
    try {
      await exec(t1, ['true'], { pool: idle });
      expect(idle.status(t1.id).state).toBe('ready');
      await waitFor(() => idle.status(t1.id).state === 'idle', { timeoutMs: 5000, intervalMs: 25, what: 'the idle connection to close' });
      expect((await exec(t1, ['true'], { pool: idle })).code).toBe(0);
      expect(idle.status(t1.id).connects).toBe(2);
    } finally {
      await idle.closeAll();
    }
  });

  it('reusing the pooled connection is much faster than a new connection per command', async () => {
    await exec(t1, ['true'], { pool });
    const n = 10;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await exec(t1, ['virsh', 'list', '--all'], { pool });
    const pooled = (performance.now() - t0) / n;
    const t1s = performance.now();
    for (let i = 0; i < 3; i++) await execFileP('ssh', [...sshArgs(lab[0]), 'virsh', 'list', '--all']);
    const fresh = (performance.now() - t1s) / 3;
    console.log(`virsh list --all: pooled ${pooled.toFixed(1)} ms, new OpenSSH connection ${fresh.toFixed(1)} ms`);
    expect(pooled).toBeLessThan(fresh);
  });
});
