// Integration tests of lib/ssh's SFTP atomic writes and console tunnels against real lab hosts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshPool, exec, openForward, readFile, withSftpSession, writeFileAtomic, writeFilesAtomic, type SshTarget } from '@/lib/ssh';
import { ensureLab, labTarget, type LabHost } from '@/tests/helpers/lab';

let lab: [LabHost, LabHost];
let t1: SshTarget;
const pool = new SshPool();
const dir = `/tmp/hostdeck-sftp-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  lab = (await ensureLab(2)) as [LabHost, LabHost];
  t1 = await labTarget(lab[0]);
  await exec(t1, ['mkdir', '-p', dir], { pool, check: true });
}, 180_000);

afterAll(async () => {
  await exec(t1, ['rm', '-rf', dir], { pool }).catch(() => undefined);
  await pool.closeAll();
});

describe('SFTP', () => {
  it('writeFileAtomic writes, replaces, sets the mode and leaves no temp files', async () => {
    const path = `${dir}/default.nix`;
    await writeFileAtomic(t1, path, '{ }\n', 0o600, { pool });
    expect((await readFile(t1, path, { pool })).toString()).toBe('{ }\n');
    expect((await exec(t1, ['stat', '-c', '%a', path], { pool })).stdout.trim()).toBe('600');

    const big = randomBytes(3 * 1024 * 1024 + 17);
    await writeFileAtomic(t1, path, big, 0o644, { pool });
    expect((await readFile(t1, path, { pool })).equals(big)).toBe(true);
    expect((await exec(t1, ['stat', '-c', '%a', path], { pool })).stdout.trim()).toBe('644');
    // same bytes as seen by the host's own tools
    const sum = await exec(t1, ['sha256sum', path], { pool });
    const { createHash } = await import('node:crypto');
    expect(sum.stdout.split(' ')[0]).toBe(createHash('sha256').update(big).digest('hex'));

    const ls = await exec(t1, ['ls', '-A', dir], { pool });
    expect(ls.stdout.trim().split('\n')).toEqual(['default.nix']);
  });

  it('readers see the old or the new file, never a partial one', async () => {
    const path = `${dir}/swap.txt`;
    const a = 'A'.repeat(400_000);
    const b = 'B'.repeat(400_000);
    await writeFileAtomic(t1, path, a, 0o644, { pool });
    // A reader on the host copies the file (one open each time) over and over while we replace it,
    // and counts copies that are not exactly one whole version.
    const script = [
      'f=$1; c=$2; end=$(($(date +%s) + 3)); bad=0; n=0',
      'while [ "$(date +%s)" -lt "$end" ]; do',
      '  cat "$f" > "$c"',
      '  u=$(head -c 1 "$c"); s=$(wc -c < "$c"); t=$(tr -d "$u" < "$c" | wc -c)',
      '  if [ "$s" -ne 400000 ] || [ "$t" -ne 0 ]; then bad=$((bad + 1)); fi',
      '  n=$((n + 1))',
      'done',
      'echo "$n $bad"',
    ].join('\n');
    const reader = exec(t1, ['sh', '-c', script, 'sh', path, `${dir}/copy`], { pool, timeoutMs: 15_000 });
    for (let i = 0; i < 10; i++) await writeFileAtomic(t1, path, i % 2 ? a : b, 0o644, { pool });
    const [reads, bad] = (await reader).stdout.trim().split(' ').map(Number);
    expect(reads).toBeGreaterThan(10);
    expect(bad).toBe(0);
  });

  it('fails clearly for a folder that does not exist, without leaving anything behind', async () => {
    await expect(writeFileAtomic(t1, `${dir}/missing/x.txt`, 'x', 0o644, { pool })).rejects.toThrow(/SFTP write .* failed/);
    await expect(writeFileAtomic(t1, 'relative/path', 'x')).rejects.toThrow(TypeError);
  });
  it('writeFilesAtomic writes many files in one session: folders made, modes set, no temp files', async () => {
    const base = `${dir}/many`;
    const files = Array.from({ length: 40 }, (_, i) => ({
      path: `${base}/${i % 2 ? 'vms' : 'cloud-init/vm'}/f${i}.txt`,
      content: i === 7 ? randomBytes(700_000) : `file ${i}\n`,
      mode: i % 2 ? 0o644 : 0o600,
    }));
    const channelsBefore = pool.status(t1.id).maxOpenChannels;
    await writeFilesAtomic(t1, files, { pool, concurrency: 8, folderMode: 0o700 });
    expect(pool.status(t1.id).maxOpenChannels).toBe(Math.max(channelsBefore, 1));
    const listing = await exec(t1, ['sh', '-c', 'cd "$1" && find . -type f -printf "%P %m\\n" | sort', 'sh', base], { pool, check: true });
    const expected = files.map((f) => `${f.path.slice(base.length + 1)} ${f.mode.toString(8)}`).sort();
    expect(listing.stdout.trim().split('\n')).toEqual(expected);
    expect((await exec(t1, ['stat', '-c', '%a', `${base}/cloud-init`], { pool })).stdout.trim()).toBe('700');
    expect((await readFile(t1, files[7]!.path, { pool })).equals(files[7]!.content as Buffer)).toBe(true);

    // replace some in place, read, remove — all in one session
    const seen = await withSftpSession(
      t1,
      async (session) => {
        await session.writeFiles([{ path: files[1]!.path, content: 'new\n', mode: 0o644 }]);
        const read = (await session.readFile(files[1]!.path))?.toString();
        const missing = await session.readFile(`${base}/no-such-file`);
        await session.remove(files[3]!.path);
        await session.remove(files[3]!.path); // gone already: no error
        return { read, missing };
      },
      { pool },
    );
    expect(seen).toEqual({ read: 'new\n', missing: null });
    expect((await exec(t1, ['test', '-e', files[3]!.path], { pool })).code).toBe(1);

    await expect(writeFilesAtomic(t1, [files[0]!, files[0]!], { pool })).rejects.toThrow(/listed twice/);
    await expect(writeFilesAtomic(t1, [{ path: 'relative/x', content: 'x' }], { pool })).rejects.toThrow(TypeError);
    // a folder that cannot be made (a file is in the way): a clear error
    await expect(writeFilesAtomic(t1, [{ path: `${files[5]!.path}/x`, content: 'x' }], { pool })).rejects.toThrow(/is not a folder/);
  });
});

describe('console tunnel', () => {
  it('openForward to the running VM’s VNC port yields the RFB banner', async () => {
    const state = await exec(t1, ['virsh', 'domstate', 'lab-vm-1'], { pool });
    if (state.stdout.trim() !== 'running') await exec(t1, ['virsh', 'start', 'lab-vm-1'], { pool, check: true });
    const display = await exec(t1, ['virsh', 'vncdisplay', 'lab-vm-1'], { pool, check: true }); // ":0" or "127.0.0.1:0"
    const m = /:(\d+)\s*$/.exec(display.stdout.trim());
    expect(m).not.toBeNull();
    const port = 5900 + Number(m![1]);

    const stream = await openForward(t1, '127.0.0.1', port, { pool });
    expect(pool.status(t1.id).forwards).toBe(1);
    const banner = await new Promise<string>((resolve, reject) => {
      let buf = Buffer.alloc(0);
      stream.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 12) resolve(buf.subarray(0, 12).toString('latin1'));
      });
      stream.on('error', reject);
      setTimeout(() => reject(new Error('no banner within 5 s')), 5000);
    });
    expect(banner).toBe('RFB 003.008\n');
    // a VNC client would answer with its version; end the tunnel instead
    await new Promise<void>((resolve) => {
      stream.once('close', () => resolve());
      stream.end();
    });
    expect(pool.status(t1.id).forwards).toBe(0);
  });

  it('SPICE port answers too, and a closed port is reported', async () => {
    const d = await exec(t1, ['virsh', 'domdisplay', '--type', 'spice', 'lab-vm-1'], { pool, check: true }); // spice://127.0.0.1:5901
    const port = Number(/:(\d+)\s*$/.exec(d.stdout.trim())![1]);
    const s = await openForward(t1, '127.0.0.1', port, { pool });
    // SPICE link message starts with the magic "REDQ" once the client sends its own; just check the tunnel opens and closes
    s.destroy();
    await expect(openForward(t1, '127.0.0.1', 1, { pool })).rejects.toThrow(/could not open a tunnel/);
  });
});
