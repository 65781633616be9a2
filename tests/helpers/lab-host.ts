// A lab host registered in the test database as Hostdeck would have it after
// onboarding: its spec saved, the lab's client key uploaded as its SSH key, and
// (unless asked not to) its host key pinned.
import fs from 'node:fs/promises';
import { getDb } from '@/lib/db';
import { saveHost } from '@/lib/hosts/inventory';
import { pinHostKey } from '@/lib/hosts/onboarding';
import { uploadSshKey } from '@/lib/hosts/ssh-keys';
import type { LabHost } from '@/tests/helpers/lab';

export async function addLabHost(lab: LabHost, options: { name?: string; pin?: boolean } = {}): Promise<string> {
  process.env.HOSTDECK_SECRET_KEY ??= 'integration-test-secret-key-0123456789';
  const saved = await saveHost({
    spec: {
      name: options.name ?? lab.name,
      address: lab.address,
      sshPort: lab.port,
      sshUser: lab.user,
      flavour: 'libvirt',
      cpuVendor: 'intel',
    },
  });
  if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
  const key = await uploadSshKey({ name: `lab-client-${saved.id.slice(0, 8)}`, privateKey: await fs.readFile(lab.keyFile, 'utf8') });
  await getDb().host.update({ where: { id: saved.id }, data: { sshKeyId: key.id } });
  if (options.pin !== false) await pinHostKey(saved.id, lab.hostKeyFingerprint);
  return saved.id;
}
