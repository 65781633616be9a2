// Onboarding a real lab host (OpenSSH + libvirtd): read and pin its host key,
// refuse a wrong one, gather facts that match what the host itself prints.
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { ensureLab, labSsh, type LabHost } from '@/tests/helpers/lab';
import { addLabHost } from '@/tests/helpers/lab-host';
import { getDb } from '@/lib/db';
import { pinHostKey, probeHost, refreshFacts } from '@/lib/hosts/onboarding';
import { closeAll } from '@/lib/ssh';

useTestDatabase();
let lab: LabHost;
let hostId: string;

const sshOnLab = (...argv: string[]) => labSsh(lab, argv);

beforeAll(async () => {
  lab = (await ensureLab(1))[0]!;
  hostId = await addLabHost(lab!, { name: 'lab1', pin: false });
}, 180_000);

describe('onboarding a lab host', () => {
  it('reads the host key without logging in, and pins only the key the operator confirmed', async () => {
    const offered = await probeHost(hostId);
    expect(offered.fingerprint).toBe(lab.hostKeyFingerprint);
    await expect(pinHostKey(hostId, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(
      /not the SHA256:A+ you confirmed/,
    );
    expect((await getDb().host.findUniqueOrThrow({ where: { id: hostId } })).hostKeyFingerprint).toBeNull();
    await expect(refreshFacts(hostId)).rejects.toThrow(/Confirm the host key fingerprint first/);
    await pinHostKey(hostId, offered.fingerprint);
    expect((await getDb().host.findUniqueOrThrow({ where: { id: hostId } })).hostKeyFingerprint).toBe(lab.hostKeyFingerprint);
  });

  it('gathers facts that match uname and virsh on the host', async () => {
    const facts = await refreshFacts(hostId);
    const uname = (await sshOnLab('uname', '-r')).stdout.trim();
    const domains = (await sshOnLab('virsh', 'list', '--all', '--name')).stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const version = (await sshOnLab('virsh', 'version')).stdout;
    expect(facts.kernel).toBe(uname);
    expect(facts.domains.sort()).toEqual(domains.sort());
    expect(version).toContain(`Using library: libvirt ${facts.libvirtVersion}`);
    expect(facts.pools).toContain('default');
    expect(facts.cpu.count).toBeGreaterThan(0);
    const host = await getDb().host.findUniqueOrThrow({ where: { id: hostId } });
    expect(host.status).toBe('online');
    expect(host.facts).toMatchObject({ kernel: uname });
  });

  it('a changed host key stops all traffic and marks the host', async () => {
    await closeAll();
    await getDb().host.update({
      where: { id: hostId },
      data: { hostKeyFingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' },
    });
    await expect(refreshFacts(hostId)).rejects.toThrow();
    const host = await getDb().host.findUniqueOrThrow({ where: { id: hostId } });
    expect(host.status).toBe('host_key_changed');
    await expect(refreshFacts(hostId)).rejects.toThrow(/an admin must check the host and re-pin/);
    await closeAll();
  });
});
