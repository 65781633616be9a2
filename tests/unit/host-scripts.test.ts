// The fixed scripts run on hosts (lib/hosts/scripts/*.sh): each loads as the
// text that is sent (without its leading comment block), inside_pool lists
// lib/spec's system folders, and the path check gives its verdicts when run
// by a real sh.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACTS_SCRIPT } from '@/lib/hosts/facts';
import { LIVE_SCRIPT } from '@/lib/hosts/live';
import { PATH_CHECK_FUNCTION, PATH_CHECK_SCRIPT } from '@/lib/hosts/safety';
import { hostScript } from '@/lib/hosts/scripts';
import { FORBIDDEN_FOLDERS } from '@/lib/spec';

const FOLDER = path.join(process.cwd(), 'lib/hosts/scripts');

describe('host scripts', () => {
  it('loads every .sh without its leading comment block', () => {
    const names = fs.readdirSync(FOLDER).filter((name) => name.endsWith('.sh'));
    expect(names.sort()).toEqual([
      'deploy-libvirt.sh',
      'discover.sh',
      'facts.sh',
      'inside-pool.sh',
      'live.sh',
      'nixos-arm-rollback.sh',
      'nixos-host.sh',
      'path-check.sh',
      'sizes.sh',
    ]);
    for (const name of names) {
      const text = hostScript(name);
      expect(text.split('\n')[0], name).toBe('');
      expect(text, name).not.toMatch(/^#!/m);
      expect(fs.readFileSync(path.join(FOLDER, name), 'utf8').endsWith(text)).toBe(true);
    }
    expect(FACTS_SCRIPT).toContain('section end');
    expect(LIVE_SCRIPT).toContain("printf '@@hostdeck:end\\n'");
  });

  it('inside_pool lists the system folders of lib/spec', () => {
    expect(PATH_CHECK_FUNCTION).toContain(`for f in ${FORBIDDEN_FOLDERS.join(' ')}; do`);
  });

  it('the path check gives its verdicts when run by sh', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hostdeck-paths-'));
    try {
      fs.mkdirSync(path.join(root, 'pool'));
      fs.symlinkSync('/etc', path.join(root, 'pool', 'escape'));
      const pool = path.join(root, 'pool');
      const out = execFileSync(
        'sh',
        [
          '-c',
          PATH_CHECK_SCRIPT,
          'hostdeck-paths',
          pool,
          `${pool}/disk.qcow2`,
          pool,
          `${pool}/escape/passwd`,
          `${root}/none`,
          `${root}/none/x`,
          pool,
          `${root}/other`,
        ],
        { encoding: 'utf8' },
      );
      expect(out.trim().split('\n')).toEqual(['ok', 'forbidden', 'no-pool', 'outside']);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
