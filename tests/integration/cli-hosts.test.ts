// hostdeck ssh-key list and hostdeck host remove, run as a user would: the key
// line to install on a host (default key first), and a host taken out of the
// inventory, audited like the web UI and the API do it.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { runHostdeck } from '@/tests/helpers/cli';
import { getDb } from '@/lib/db';
import { saveHost } from '@/lib/hosts/inventory';

const db = useTestDatabase();
const secretKey = 'cli-hosts-test-secret-key-0123456789';

function hostdeck(args: string[]) {
  return runHostdeck(args, { env: { ...process.env, DATABASE_URL: db.url(), HOSTDECK_SECRET_KEY: secretKey } });
}

describe('hostdeck ssh-key and host remove', () => {
  it('lists the default key (generated once) with its authorized_keys line', async () => {
    const listed = await hostdeck(['ssh-key', 'list', '--json']);
    expect(listed.stderr).toBe('');
    expect(listed.code).toBe(0);
    const keys = JSON.parse(listed.stdout) as { name: string; isDefault: boolean; authorizedKeysLine: string }[];
    expect(keys.map((k) => [k.name, k.isDefault])).toEqual([['hostdeck-default', true]]);
    expect(keys[0]!.authorizedKeysLine).toMatch(/^ssh-ed25519 \S+ hostdeck$/);
    const again = await hostdeck(['ssh-key', 'list']);
    expect(again.stdout).toContain(keys[0]!.authorizedKeysLine);
    expect(await getDb().sshKey.count()).toBe(1);
  }, 90_000);

  it('removes a host by name and audits it; an unknown name exits 2', async () => {
    const saved = await saveHost({ spec: { name: 'cli-rm', address: '192.0.2.50', flavour: 'libvirt', cpuVendor: 'intel' } });
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    const removed = await hostdeck(['host', 'remove', 'cli-rm']);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('removed cli-rm (0 VMs keep running on the host)');
    expect(await getDb().host.count({ where: { id: saved.id } })).toBe(0);
    const entry = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'host.remove', targetId: saved.id } });
    expect(entry.outcome).toBe('ok');
    expect(entry.details).toMatchObject({ name: 'cli-rm', vms: 0, via: 'cli' });

    const unknown = await hostdeck(['host', 'remove', 'cli-rm']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No host named "cli-rm"');
  }, 90_000);
});
