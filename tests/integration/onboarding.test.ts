// Onboarding a real lab host (OpenSSH + libvirtd): read and pin its host key,
// refuse a wrong one, gather facts that match what the host itself prints.
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { ensureLab, type LabHost } from '@/tests/helpers/lab';
import { getDb } from '@/lib/db';
import { saveHost } from '@/lib/hosts/inventory';
import { pinHostKey, probeHost, refreshFacts } from '@/lib/hosts/onboarding';
import { uploadSshKey } from '@/lib/hosts/ssh-keys';
import { closeAll } from '@/lib/ssh';

const run = promisify(execFile);
useTestDatabase();
let lab: LabHost;
let hostId: string;

function sshOnLab(...argv: string[]) {
  return run('ssh', ['-i', lab.keyFile, '-o', `UserKnownHostsFile=${lab.knownHostsFile}`, '-o', 'BatchMode=yes', '-p', String(lab.port), `${lab.user}@${lab.address}`, ...argv]);
}

beforeAll(async () => {
  process.env.HOSTDECK_SECRET_KEY ??= 'integration-test-secret-key-0123456789';
  [lab] = await ensureLab(1);
  const saved = await saveHost({ spec: { name: 'lab1', address: lab!.address, sshPort: lab!.port, sshUser: lab!.user, flavour: 'libvirt', cpuVendor: 'intel' } });
  if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
  hostId = saved.id;
  const key = await uploadSshKey({ name: 'lab-client', privateKey: await fs.readFile(lab!.keyFile, 'utf8') });
  await getDb().host.update({ where: { id: hostId }, data: { sshKeyId: key.id } });
}, 180_000);

describe('onboarding a lab host', () => {
  it('reads the host key without logging in, and pins only the key the operator confirmed', async () => {
    const offered = await probeHost(hostId);
    expect(offered.fingerprint).toBe(lab.hostKeyFingerprint);
    await expect(pinHostKey(hostId, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).rejects.toThrow(/not the SHA256:A+ you confirmed/);
    expect((await getDb().host.findUniqueOrThrow({ where: { id: hostId } })).hostKeyFingerprint).toBeNull();
    await expect(refreshFacts(hostId)).rejects.toThrow(/Confirm the host key fingerprint first/);
    await pinHostKey(hostId, offered.fingerprint);
    expect((await getDb().host.findUniqueOrThrow({ where: { id: hostId } })).hostKeyFingerprint).toBe(lab.hostKeyFingerprint);
  });

  it('gathers facts that match uname and virsh on the host', async () => {
    const facts = await refreshFacts(hostId);
    const uname = (await sshOnLab('uname', '-r')).stdout.trim();
    const domains = (await sshOnLab('virsh', 'list', '--all', '--name')).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
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
    await getDb().host.update({ where: { id: hostId }, data: { hostKeyFingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } });
    await expect(refreshFacts(hostId)).rejects.toThrow();
    const host = await getDb().host.findUniqueOrThrow({ where: { id: hostId } });
    expect(host.status).toBe('host_key_changed');
    await expect(refreshFacts(hostId)).rejects.toThrow(/an admin must check the host and re-pin/);
    await closeAll();
  });
});
