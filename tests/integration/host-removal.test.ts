// Taking a host out of the inventory (lib/hosts/inventory removeHost): the host
// and everything kept about it go in one transaction, other hosts are untouched,
// a host being deployed is refused with nothing deleted. And the SSH key list for
// onboarding through the API: default key first, generated once when missing.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { removeHost, saveHost, saveVm } from '@/lib/hosts/inventory';
import { listSshKeysForOnboarding, makeDefaultSshKey, uploadSshKey } from '@/lib/hosts/ssh-keys';
import { generateEd25519KeyPair, parsePrivateKey } from '@/lib/ssh';

useTestDatabase();
process.env.HOSTDECK_SECRET_KEY ??= 'integration-test-secret-key-0123456789';

const hostSpec = (name: string) => ({
  name,
  address: '192.0.2.20',
  flavour: 'libvirt',
  cpuVendor: 'intel',
  storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
});
const vmSpec = (name: string) => ({
  name,
  vcpus: 1,
  memoryMiB: 256,
  disks: [{ source: { type: 'volume', pool: 'default', volume: `${name}.qcow2` }, sizeGiB: 1 }],
});

/** A host with two VMs, a revision, a change, a deployment in `status`, host and VM metrics and a console ticket. */
async function hostWithHistory(name: string, status: 'succeeded' | 'running' = 'succeeded') {
  const db = getDb();
  const saved = await saveHost({ spec: hostSpec(name) });
  if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
  const vmIds: string[] = [];
  for (const vm of ['a', 'b']) {
    const r = await saveVm({ hostId: saved.id, spec: vmSpec(`${name}-${vm}`) });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    vmIds.push(r.id);
  }
  const user = await db.user.create({ data: { username: `u-${name}`, passwordHash: 'x', role: 'admin' } });
  const revision = await db.revision.create({ data: { hostId: saved.id, contentHash: `hash-${name}`, files: {}, spec: {} } });
  const change = await db.change.create({ data: { hostId: saved.id, revisionId: revision.id, title: 'first', authorId: user.id } });
  await db.deployment.create({ data: { hostId: saved.id, revisionId: revision.id, changeId: change.id, status } });
  await db.hostMetric.create({ data: { hostId: saved.id, cpuPercent: 1 } });
  await db.vmMetric.create({ data: { vmId: vmIds[0]!, cpuPercent: 1 } });
  await db.consoleTicket.create({
    data: { id: `t-${name}`, userId: user.id, vmId: vmIds[0]!, kind: 'vnc', expiresAt: new Date(Date.now() + 30_000) },
  });
  return { id: saved.id, vmIds };
}

async function rowsOf(hostId: string, vmIds: string[]) {
  const db = getDb();
  return {
    hosts: await db.host.count({ where: { id: hostId } }),
    vms: await db.vm.count({ where: { hostId } }),
    revisions: await db.revision.count({ where: { hostId } }),
    changes: await db.change.count({ where: { hostId } }),
    deployments: await db.deployment.count({ where: { hostId } }),
    hostMetrics: await db.hostMetric.count({ where: { hostId } }),
    vmMetrics: await db.vmMetric.count({ where: { vmId: { in: vmIds } } }),
    tickets: await db.consoleTicket.count({ where: { vmId: { in: vmIds } } }),
  };
}

describe('removing a host', () => {
  it('removes the host with everything kept about it, and nothing of other hosts', async () => {
    const gone = await hostWithHistory('rm1');
    const kept = await hostWithHistory('keep1');
    const keptBefore = await rowsOf(kept.id, kept.vmIds);

    expect(await removeHost(gone.id)).toEqual({ id: gone.id, name: 'rm1', vms: 2 });

    expect(await rowsOf(gone.id, gone.vmIds)).toEqual({
      hosts: 0,
      vms: 0,
      revisions: 0,
      changes: 0,
      deployments: 0,
      hostMetrics: 0,
      vmMetrics: 0,
      tickets: 0,
    });
    expect(await rowsOf(kept.id, kept.vmIds)).toEqual(keptBefore);
    await expect(removeHost(gone.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses a host being deployed and deletes nothing', async () => {
    const busy = await hostWithHistory('busy1', 'running');
    const before = await rowsOf(busy.id, busy.vmIds);
    await expect(removeHost(busy.id)).rejects.toMatchObject({ code: 'conflict', message: /being deployed/ });
    expect(await rowsOf(busy.id, busy.vmIds)).toEqual(before);
  });
});

/** A private key ssh2 parses back (its generator now and then writes one it calls malformed). */
function parsableKey(): string {
  for (;;) {
    const key = generateEd25519KeyPair('t').privateKeyOpenSsh;
    try {
      parsePrivateKey(key);
      return key;
    } catch {}
  }
}

describe('SSH keys for onboarding', () => {
  it('generates the default key once when none exists, and lists it first with its authorized_keys line', async () => {
    const db = getDb();
    await db.host.updateMany({ data: { sshKeyId: null } });
    await db.sshKey.deleteMany();
    const uploaded = await uploadSshKey({ name: 'aaa-uploaded', privateKey: parsableKey() });

    const first = await listSshKeysForOnboarding();
    expect(first.map((k) => [k.name, k.isDefault])).toEqual([
      ['hostdeck-default', true],
      ['aaa-uploaded', false],
    ]);
    for (const key of first) expect(key.authorizedKeysLine).toMatch(/^ssh-ed25519 [A-Za-z0-9+/=]+ hostdeck$/);
    expect(first[0]!.authorizedKeysLine.split(' ')[1]).toBe(first[0]!.publicKey.split(' ')[1]);

    // Listing again (also from several callers at once) makes no second default key.
    const again = await Promise.all([listSshKeysForOnboarding(), listSshKeysForOnboarding()]);
    for (const list of again) expect(list.map((k) => k.id)).toEqual(first.map((k) => k.id));
    expect(await db.sshKey.count({ where: { isDefault: true } })).toBe(1);

    // An uploaded key made the default comes first, and no key is generated.
    await makeDefaultSshKey(uploaded.id);
    const afterSwitch = await listSshKeysForOnboarding();
    expect(afterSwitch.map((k) => k.name)).toEqual(['aaa-uploaded', 'hostdeck-default']);
    expect(await db.sshKey.count()).toBe(2);
  });
});
