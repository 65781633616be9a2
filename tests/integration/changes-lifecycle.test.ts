// The change lifecycle on a real database (lib/changes/service, lib/deploy/request):
// saves make or update the host's one open change and never touch the host;
// propose → approve (four-eyes, roles) → deploy (queued as a pg-boss job);
// edits after approval need approval again; a stale base must be re-planned;
// one deployment per host at a time; cancel of a queued deployment gives the
// change back. Running deployments (lab hosts) are tests/integration/deploy-*.test.ts.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { DomainError } from '@/lib/errors';
import type { Role } from '@/lib/auth/roles';
import { saveHostDesired, saveVmDesired } from '@/lib/changes/desired-state';
import {
  approveChange,
  commentOnChange,
  createChange,
  createRollback,
  proposeChange,
  rejectChange,
  replanChange,
} from '@/lib/changes/service';
import { cancelDeployment, deployChange } from '@/lib/deploy/request';
import { getChangeDetail, listChanges } from '@/lib/deploy/queries';
import { fullLog } from '@/lib/deploy/log';
import { setFourEyesRequired } from '@/lib/settings';

useTestDatabase();

async function user(username: string, role: Role) {
  const row = await getDb().user.create({ data: { username, passwordHash: 'x', role } });
  return { id: row.id, username, role };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

const hostSpec = (name: string) => ({
  name,
  address: '192.0.2.30',
  flavour: 'libvirt',
  cpuVendor: 'intel',
  storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
});
const vmSpec = (memoryMiB: number) => ({ name: 'web', vcpus: 1, memoryMiB, disks: [] });

async function openChangeOf(hostId: string) {
  return getDb().change.findMany({ where: { hostId, status: { in: ['draft', 'proposed', 'approved'] } } });
}

describe('changes', () => {
  it('saves keep one open change per host, and the whole review flow holds its rules', async () => {
    const alice = await user('alice', 'operator');
    const bob = await user('bob', 'approver');
    const carol = await user('carol', 'admin');
    const vic = await user('vic', 'viewer');

    const host = await saveHostDesired({ spec: hostSpec('h1') }, carol);
    if (!host.ok) throw new Error(JSON.stringify(host.issues));
    expect(host.changeId).toBeNull(); // a libvirt host without VMs has nothing to deploy
    await expect(refusal(createChange(host.id, { title: 'nothing' }, alice))).resolves.toMatchObject({ code: 'conflict' });

    const vm = await saveVmDesired({ hostId: host.id, spec: vmSpec(256) }, alice);
    if (!vm.ok) throw new Error(JSON.stringify(vm.issues));
    expect(vm.changeId).toBeTruthy();
    const again = await saveVmDesired({ hostId: host.id, id: vm.id, spec: vmSpec(512) }, alice);
    expect(again.ok && again.changeId).toBe(vm.changeId);
    expect(await openChangeOf(host.id)).toHaveLength(1);
    // An invalid save changes nothing.
    const bad = await saveVmDesired({ hostId: host.id, id: vm.id, spec: { ...vmSpec(512), vcpus: 0 } }, alice);
    expect(bad.ok).toBe(false);

    const { id } = await createChange(host.id, { title: 'Add web', description: 'first VM' }, alice);
    expect(id).toBe(vm.changeId);
    let detail = await getChangeDetail(id, { ...alice, revealSecrets: true });
    expect(detail).toMatchObject({ status: 'draft', title: 'Add web', description: 'first VM', baseCurrent: true });
    expect(detail.plan?.summary.added).toBe(1);
    expect(detail.files.map((f) => [f.path, f.status])).toEqual([['vms/web.xml', 'added']]);
    expect(detail.actions).toEqual(['propose', 'replan', 'comment']);

    expect((await refusal(proposeChange(id, vic))).code).toBe('forbidden');
    await proposeChange(id, alice);
    expect((await refusal(approveChange(id, alice))).code).toBe('forbidden'); // an operator
    expect((await refusal(approveChange(id, vic))).code).toBe('forbidden');
    await commentOnChange(id, bob, 'Why 512 MiB?');

    // Bob edits the VM: he becomes the author, the change stays proposed, and four-eyes stops him approving it.
    await saveVmDesired({ hostId: host.id, id: vm.id, spec: vmSpec(384) }, bob);
    const afterEdit = await getDb().change.findUniqueOrThrow({ where: { id } });
    expect(afterEdit).toMatchObject({ status: 'proposed', authorId: bob.id });
    const fourEyes = await refusal(approveChange(id, bob));
    expect(fourEyes.code).toBe('forbidden');
    expect(fourEyes.message).toMatch(/author/);
    await approveChange(id, carol, 'fine');

    // An edit after approval: what was approved is not what would deploy — back to proposed.
    await saveVmDesired({ hostId: host.id, id: vm.id, spec: vmSpec(320) }, alice);
    expect(await getDb().change.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'proposed', approverId: null });
    await approveChange(id, bob);
    detail = await getChangeDetail(id, { ...alice, revealSecrets: true });
    expect(detail.approver?.username).toBe('bob');
    expect(detail.comments.map((c) => c.body)).toEqual(['Why 512 MiB?']);
    expect(detail.actions).toEqual(['deploy', 'replan', 'comment']);

    // Someone deploys something else meanwhile (here: a baseline recorded by hand): the base is stale.
    const other = await getDb().revision.create({
      data: { hostId: host.id, contentHash: 'other', files: { files: [], manifest: null }, spec: {} },
    });
    await getDb().deployment.create({
      data: { hostId: host.id, revisionId: other.id, kind: 'import', status: 'succeeded', finishedAt: new Date() },
    });
    const stale = await refusal(deployChange(id, alice));
    expect(stale.code).toBe('conflict');
    expect(stale.message).toMatch(/re-plan/);
    await replanChange(id, alice);
    expect(await getDb().change.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'proposed', baseRevisionId: other.id });
    await approveChange(id, bob);

    // Viewers cannot deploy; an operator can: queued as a job, the change deploying.
    expect((await refusal(deployChange(id, vic))).code).toBe('forbidden');
    const { deploymentId } = await deployChange(id, alice);
    const deployment = await getDb().deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    expect(deployment).toMatchObject({ status: 'queued', changeId: id, kind: 'deploy' });
    expect(deployment.jobId).toBeTruthy();
    expect((await getDb().change.findUniqueOrThrow({ where: { id } })).status).toBe('deploying');
    const { rows } = await getDb()
      .$queryRawUnsafe<{ rows?: unknown }>('SELECT 1')
      .then(() => ({ rows: null }));
    void rows;

    // A second deployment of the same host while one is queued: refused, with the running one named.
    const rollback = await createRollback(host.id, { revisionId: deployment.revisionId, title: 'again' }, alice);
    await proposeChange(rollback.id, alice);
    await approveChange(rollback.id, bob);
    const busy = await refusal(deployChange(rollback.id, alice));
    expect(busy.code).toBe('conflict');
    expect(busy.message).toContain(deploymentId);

    // Cancelling the queued deployment: nothing ran, the change is approved again.
    await expect(cancelDeployment(deploymentId, alice)).resolves.toEqual({ status: 'cancelled' });
    expect((await getDb().deployment.findUniqueOrThrow({ where: { id: deploymentId } })).status).toBe('cancelled');
    expect((await getDb().change.findUniqueOrThrow({ where: { id } })).status).toBe('approved');
    expect(await fullLog(deploymentId)).toMatch(/Cancelled by alice before it started/);
    expect((await refusal(cancelDeployment(deploymentId, alice))).code).toBe('conflict');

    await rejectChange(rollback.id, bob, 'not needed');
    expect((await getDb().change.findUniqueOrThrow({ where: { id: rollback.id } })).reviewNote).toBe('not needed');
    const listed = await listChanges({ hostId: host.id });
    expect(listed.changes.map((c) => c.status).sort()).toEqual(['approved', 'rejected']);
  });

  it('four-eyes off lets the author approve; urgent rollbacks are for admins; found-as-is revisions cannot be redeployed', async () => {
    const dana = await user('dana', 'approver');
    const erin = await user('erin', 'admin');
    const host = await saveHostDesired({ spec: hostSpec('h2') }, erin);
    if (!host.ok) throw new Error('host');
    const vm = await saveVmDesired({ hostId: host.id, spec: vmSpec(256) }, dana);
    if (!vm.ok || !vm.changeId) throw new Error('vm');
    await proposeChange(vm.changeId, dana);
    await setFourEyesRequired(false);
    try {
      await approveChange(vm.changeId, dana);
    } finally {
      await setFourEyesRequired(true);
    }
    const revision = (await getDb().change.findUniqueOrThrow({ where: { id: vm.changeId } })).revisionId;
    expect((await refusal(createRollback(host.id, { revisionId: revision, urgent: true }, dana))).code).toBe('forbidden');
    const urgent = await createRollback(host.id, { revisionId: revision, urgent: true }, erin);
    await proposeChange(urgent.id, erin);
    await approveChange(urgent.id, erin); // an admin's urgent rollback: their own approval suffices
    const found = await getDb().revision.create({ data: { hostId: host.id, contentHash: 'found', files: { files: [] }, spec: {} } });
    const refused = await refusal(createRollback(host.id, { revisionId: found.id }, erin));
    expect(refused.message).toMatch(/as found/);
  });
});
