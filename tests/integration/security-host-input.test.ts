// Nothing an operator types reaches a host unreviewed (a real lab host: OpenSSH
// + libvirtd). A host stored with a hostile libvirt URI — as old data or a
// direct database write would have it — whose `command=` runs a script that
// leaves a marker file: the start-up check marks it unsafe_config, and the
// poll, live read, facts, power action and import all refuse to run anything
// (no marker appears); only an admin may change the URI, and an admin's fix
// brings the host back.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { addLabHost } from '@/tests/helpers/lab-host';
import { ensureLab, labSsh, type LabHost } from '@/tests/helpers/lab';
import { getDb } from '@/lib/db';
import { markUnsafeHostConfigs } from '@/lib/hosts/safety';
import { pollHost, readLiveState } from '@/lib/hosts/live';
import { refreshFacts } from '@/lib/hosts/onboarding';
import { powerAction } from '@/lib/hosts/power';
import { importHostDomains } from '@/lib/hosts/import';
import { saveHost } from '@/lib/hosts/inventory';
import { closeAll } from '@/lib/ssh';

useTestDatabase();
let lab: LabHost;
let hostId: string;
let vmId: string;
let folder: string;
let marker: string;
let hostile: string;

const host = () => getDb().host.findUniqueOrThrow({ where: { id: hostId } });
const specOf = async () => (await host()).spec as Record<string, unknown>;

/** Stores the URI as old data would hold it: straight into the database, bypassing validation, with a status as if it were fine. */
async function storeDirectly(uri: string, where: 'column' | 'spec' | 'both' = 'both'): Promise<void> {
  const spec = await specOf();
  await getDb().host.update({
    where: { id: hostId },
    data: {
      ...(where !== 'spec' ? { libvirtUri: uri } : { libvirtUri: 'qemu:///system' }),
      spec: { ...spec, libvirtUri: where !== 'column' ? uri : 'qemu:///system' },
      status: 'online',
      statusReason: null,
    },
  });
}

beforeAll(async () => {
  lab = (await ensureLab(1))[0]!;
  hostId = await addLabHost(lab, { name: 'sec-input' });
  const uuid = (await labSsh(lab, ['virsh', 'domuuid', 'lab-vm-1'])).stdout.trim();
  vmId = (await getDb().vm.create({ data: { hostId, name: 'lab-vm-1', uuid, vcpus: 1, memoryMiB: 64, spec: {} } })).id;
  // The lab host sees this machine's /tmp: a script there that leaves a marker is what a hostile URI would run.
  folder = mkdtempSync(join(tmpdir(), 'hostdeck-sec-'));
  chmodSync(folder, 0o777);
  marker = join(folder, 'ran');
  const script = join(folder, 'evil.sh');
  writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\nexec sleep 1\n`);
  chmodSync(script, 0o755);
  hostile = `qemu+ext:///system?command=${script}`;
  // The vector is real: the lab user can run the script and it leaves the marker.
  expect((await labSsh(lab, [script])).code).toBe(0);
  expect(existsSync(marker)).toBe(true);
  rmSync(marker);
}, 180_000);

afterAll(async () => {
  await closeAll();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('a host stored with a hostile libvirt URI', () => {
  it('is marked unsafe_config by the start-up check, with what is wrong and what to do', async () => {
    await storeDirectly(hostile);
    expect(await markUnsafeHostConfigs()).toContain('sec-input');
    const row = await host();
    expect(row.status).toBe('unsafe_config');
    expect(row.statusReason).toMatch(/Unsafe libvirt URI: the libvirt transport "\+ext" is not allowed .* an admin .* qemu:\/\/\/system/);
    expect(existsSync(marker)).toBe(false);
  });

  it.each(['column', 'spec'] as const)(
    'every entry that would contact the host refuses it (URI only in the %s), and marks it; nothing runs',
    async (where) => {
      const entries: [string, () => Promise<unknown>, RegExp][] = [
        [
          'poll',
          async () => expect(await pollHost(hostId)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/\+ext/) }),
          /./,
        ],
        ['live read', () => readLiveState(hostId), /Not contacting sec-input: Unsafe libvirt URI/],
        ['facts', () => refreshFacts(hostId), /Unsafe libvirt URI/],
        ['power', () => powerAction(vmId, 'start'), /Cannot reach sec-input: Unsafe libvirt URI/],
        ['import', () => importHostDomains(hostId), /Unsafe libvirt URI/],
      ];
      for (const [name, run, refusal] of entries) {
        await storeDirectly(hostile, where); // as if written after the start-up check
        if (name === 'poll') await run();
        else await expect(run(), name).rejects.toThrow(refusal);
        const row = await host();
        expect(row.status, name).toBe('unsafe_config');
        expect(row.statusReason, name).toMatch(/\+ext/);
        expect(existsSync(marker), `${name} ran the hostile command`).toBe(false);
      }
      expect(await getDb().vm.count({ where: { hostId } })).toBe(1); // the import added nothing
    },
  );

  it('a poll of a host already marked unsafe_config is skipped even after the URI looks fine again, until it is saved', async () => {
    await storeDirectly(hostile);
    await markUnsafeHostConfigs();
    await getDb().host.update({
      where: { id: hostId },
      data: { libvirtUri: 'qemu:///system', spec: { ...(await specOf()), libvirtUri: 'qemu:///system' } },
    });
    expect(await pollHost(hostId)).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/unsafe configuration/) });
  });

  it('only an admin changes the libvirt URI; an admin fix clears the mark and the host is polled again', async () => {
    await getDb().vm.deleteMany({ where: { hostId } }); // the bare VM row above has no spec; a host save validates its VMs
    await storeDirectly(hostile);
    await markUnsafeHostConfigs();
    const spec = await specOf();
    // An operator can neither keep the refused URI nor replace it.
    for (const libvirtUri of [hostile, 'qemu:///system']) {
      const result = await saveHost({ id: hostId, spec: { ...spec, libvirtUri } }, { role: 'operator' });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues.map((issue) => issue.path)).toEqual(['libvirtUri']);
    }
    const byOperator = await saveHost({ id: hostId, spec: { ...spec, libvirtUri: 'qemu:///system' } }, { role: 'operator' });
    expect(byOperator).toMatchObject({
      ok: false,
      issues: [{ path: 'libvirtUri', message: expect.stringMatching(/only an admin can change the libvirt URI/) }],
    });
    // Not even an admin may store a hostile one.
    const hostileByAdmin = await saveHost({ id: hostId, spec: { ...spec, libvirtUri: 'qemu:///system?socket=/tmp/x' } }, { role: 'admin' });
    expect(hostileByAdmin).toMatchObject({
      ok: false,
      issues: [{ path: 'libvirtUri', message: expect.stringMatching(/query parameters are not allowed/) }],
    });
    expect((await host()).status).toBe('unsafe_config');

    expect(await saveHost({ id: hostId, spec: { ...spec, libvirtUri: 'qemu:///system' } }, { role: 'admin' })).toEqual({
      ok: true,
      id: hostId,
    });
    expect(await host()).toMatchObject({ status: 'new', statusReason: null, libvirtUri: 'qemu:///system' });
    expect(await markUnsafeHostConfigs()).toEqual([]);
    expect(await pollHost(hostId)).toMatchObject({ status: 'online', virshError: null });
    expect((await host()).status).toBe('online');

    // With a valid URI in place an operator still cannot switch it; keeping it is fine.
    const switched = await saveHost({ id: hostId, spec: { ...(await specOf()), libvirtUri: 'qemu:///session' } }, { role: 'operator' });
    expect(switched).toMatchObject({ ok: false, issues: [{ path: 'libvirtUri' }] });
    expect(await saveHost({ id: hostId, spec: { ...(await specOf()), description: 'kept' } }, { role: 'operator' })).toEqual({
      ok: true,
      id: hostId,
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('a new host: operators get the default URI only, admins choose', async () => {
    const base = { address: lab.address, sshPort: lab.port, sshUser: lab.user, flavour: 'libvirt', cpuVendor: 'intel' };
    expect(await saveHost({ spec: { ...base, name: 'sec-op', libvirtUri: 'qemu:///session' } }, { role: 'operator' })).toMatchObject({
      ok: false,
      issues: [{ path: 'libvirtUri' }],
    });
    expect(await saveHost({ spec: { ...base, name: 'sec-op' } }, { role: 'operator' })).toMatchObject({ ok: true });
    expect(await saveHost({ spec: { ...base, name: 'sec-admin', libvirtUri: 'qemu:///session' } }, { role: 'admin' })).toMatchObject({
      ok: true,
    });
    expect(await saveHost({ spec: { ...base, name: 'sec-evil', libvirtUri: hostile } }, { role: 'admin' })).toMatchObject({
      ok: false,
      issues: [{ path: 'libvirtUri', message: expect.stringMatching(/\+ext/) }],
    });
  });
});
