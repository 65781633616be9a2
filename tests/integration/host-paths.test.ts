// The host-side path check (lib/hosts/safety checkHostPaths) on a real lab
// host: a path is used only when `realpath` on the host keeps it inside its
// pool folder, so a symlink planted in a pool cannot lead to /etc or elsewhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHostPaths } from '@/lib/hosts/safety';
import { closeAll } from '@/lib/ssh';
import { ensureLab, labTarget } from '@/tests/helpers/lab';

let target: Awaited<ReturnType<typeof labTarget>>;
let dir: string;

beforeAll(async () => {
  const [lab] = await ensureLab(1);
  target = await labTarget(lab!);
  // The lab host shares this machine's file system outside libvirt's folders;
  // its login user is not root, so the folders must be readable by others.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostdeck-paths-'));
  fs.chmodSync(dir, 0o755);
  for (const sub of ['pool', 'elsewhere']) fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'pool', 'disk.qcow2'), 'disk');
  fs.writeFileSync(path.join(dir, 'elsewhere', 'other.qcow2'), 'other');
  fs.symlinkSync('/etc/passwd', path.join(dir, 'pool', 'passwd.qcow2'));
  fs.symlinkSync(path.join(dir, 'elsewhere', 'other.qcow2'), path.join(dir, 'pool', 'escape.qcow2'));
  fs.symlinkSync(path.join(dir, 'pool', 'disk.qcow2'), path.join(dir, 'pool', 'alias.qcow2'));
});

afterAll(async () => {
  await closeAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('checkHostPaths on a lab host', () => {
  it('accepts files inside the pool (also through a symlink that stays inside) and a file still to be created', async () => {
    const pool = path.join(dir, 'pool');
    const verdicts = await checkHostPaths(target, [
      { root: pool, path: path.join(pool, 'disk.qcow2') },
      { root: pool, path: path.join(pool, 'alias.qcow2') },
      { root: pool, path: path.join(pool, 'new-disk.qcow2') },
    ]);
    expect(verdicts).toEqual(['ok', 'ok', 'ok']);
  });

  it('refuses symlinks that lead out of the pool, and a pool folder that does not exist', async () => {
    const pool = path.join(dir, 'pool');
    const verdicts = await checkHostPaths(target, [
      { root: pool, path: path.join(pool, 'passwd.qcow2') },
      { root: pool, path: path.join(pool, 'escape.qcow2') },
      { root: path.join(dir, 'missing'), path: path.join(dir, 'missing', 'disk.qcow2') },
    ]);
    expect(verdicts[0]).not.toBe('ok');
    expect(['outside', 'forbidden']).toContain(verdicts[0]);
    expect(verdicts[1]).toBe('outside');
    expect(verdicts[2]).toBe('no-pool');
  });
});
