// Deployments against a real lab host (lab2), run by real app processes (the
// job side of server.ts, tests/fixtures/processes/app-jobs.ts) on the test's
// PostgreSQL, with the faults issue 8 names:
// - two processes ask to deploy the same host at once → exactly one deployment
//   runs, the other request gets a clear refusal;
// - the app process is killed (-9) mid-step → a restarted process marks the
//   deployment interrupted, the host lock is free, nothing is recorded as deployed;
// - the host's sshd stops mid-step → the deployment fails with its log, the lock
//   is released, and the host is recovered by a rollback;
// and in none of them is a row lost (every deployment keeps its log).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { ensureLab, labCtl, labIndex, REPO_ROOT, sshArgs, type LabHost } from '@/tests/helpers/lab';
import { addLabHost } from '@/tests/helpers/lab-host';
import { waitFor } from '@/tests/helpers/wait';
import { getDb } from '@/lib/db';
import { saveVmDesired } from '@/lib/changes/desired-state';
import { approveChange, createRollback, proposeChange, replanChange } from '@/lib/changes/service';
import { deployChange } from '@/lib/deploy/request';
import { fullLog } from '@/lib/deploy/log';
import { tryLockHost } from '@/lib/deploy/lock';
import { deployedRevision } from '@/lib/hosts/configuration';
import { refreshFacts } from '@/lib/hosts/onboarding';

const execFileP = promisify(execFile);
const db = useTestDatabase();
process.env.HOSTDECK_SECRET_KEY ??= 'integration-test-secret-key-0123456789';

const CLEAN_UP = 'for d in df-1 df-2; do virsh destroy $d; virsh undefine $d; done >/dev/null 2>&1; true';

let lab: LabHost;
let hostId = '';
const vmIds: Record<string, string> = {};
const users: Record<string, { id: string; username: string; role: 'operator' | 'approver' }> = {};
const children = new Set<ChildProcess>();

function childEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: db.url(),
    HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S: '40', // lab guests ignore ACPI: a stop takes this long, long enough to hit mid-step
    HOSTDECK_DRIFT_INTERVAL_MS: '600000',
    HOSTDECK_POLL_INTERVAL_MS: '600000',
  };
}

/** Starts an app process's job side and waits until its workers run. */
async function startApp(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/processes/app-jobs.ts'], {
    cwd: REPO_ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (process.env.HOSTDECK_TEST_VERBOSE) process.stderr.write(d);
  });
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`app process exited ${child.exitCode}: ${err}`);
      return out.includes('ready');
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'the app process to start its job workers' },
  );
  return child;
}

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
}

async function stopApp(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  child.kill(signal);
  await exited(child);
  children.delete(child);
}

/** A deploy request from a process of its own. */
async function requestDeploy(
  changeId: string,
  username: string,
): Promise<{ deploymentId?: string; error?: { code: string; message: string } }> {
  const { stdout } = await execFileP(
    process.execPath,
    ['--import', 'tsx', 'tests/fixtures/processes/deploy-request.ts', changeId, username],
    {
      cwd: REPO_ROOT,
      env: childEnv(),
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

/** Runs a fixed command line on the lab host (ssh hands it to the login shell). */
async function onHost(commandLine: string): Promise<string> {
  const { stdout } = await execFileP('ssh', [...sshArgs(lab), commandLine], { timeout: 30_000 });
  return stdout.trim();
}

async function deploymentOf(id: string) {
  return getDb().deployment.findUniqueOrThrow({ where: { id } });
}

function waitForStatus(id: string, statuses: string[], timeoutMs = 120_000) {
  return waitFor(async () => ((d) => (statuses.includes(d.status) ? d : null))(await deploymentOf(id)), {
    timeoutMs,
    intervalMs: 200,
    what: `deployment ${id} to be ${statuses.join(' or ')}`,
  });
}

function waitForStep(id: string, step: string) {
  return waitFor(
    async () => {
      const d = await deploymentOf(id);
      const steps = d.steps as { name: string; status: string }[];
      return steps.find((s) => s.name === step)?.status === 'running';
    },
    { timeoutMs: 60_000, intervalMs: 100, what: `step ${step} of ${id} to run` },
  );
}

/** Saves the VMs' desired power states and gets the host's open change proposed and approved; returns its id. */
async function approvedChange(power: Record<string, 'running' | 'stopped'>): Promise<string> {
  let changeId: string | null | undefined;
  for (const [name, powerState] of Object.entries(power)) {
    const saved = await saveVmDesired(
      { hostId, id: vmIds[name], spec: { name, vcpus: 1, memoryMiB: 64, disks: [], powerState } },
      users.alice!,
    );
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    changeId = saved.changeId ?? changeId;
  }
  changeId ??= (await getDb().change.findFirst({ where: { hostId, status: { in: ['draft', 'proposed'] } } }))?.id;
  if (!changeId) throw new Error('no change was made');
  const change = await getDb().change.findUniqueOrThrow({ where: { id: changeId } });
  if (change.status === 'draft') await proposeChange(changeId, users.alice!);
  await approveChange(changeId, users.bob!);
  return changeId;
}

beforeAll(async () => {
  [, lab] = (await ensureLab(2)) as [LabHost, LabHost];
  await onHost(CLEAN_UP);
  hostId = await addLabHost(lab, { name: 'fault-host' });
  await refreshFacts(hostId); // the domain type (kvm or TCG) comes from the facts
  for (const [username, role] of [
    ['alice', 'operator'],
    ['bob', 'approver'],
  ] as const) {
    const row = await getDb().user.create({ data: { username, passwordHash: 'x', role } });
    users[username] = { id: row.id, username, role };
  }
  for (const name of ['df-1', 'df-2']) {
    const saved = await saveVmDesired({ hostId, spec: { name, vcpus: 1, memoryMiB: 64, disks: [], powerState: 'running' } }, users.alice!);
    if (!saved.ok) throw new Error(JSON.stringify(saved.issues));
    vmIds[name] = saved.id;
  }
}, 300_000);

afterAll(async () => {
  await labCtl(['sshd-start', String(labIndex(lab))]).catch(() => {});
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([...children].map(exited));
  await onHost(CLEAN_UP).catch(() => {});
});

describe('deployments under faults', () => {
  it('two processes deploying one host at once: exactly one runs, the other is told why', async () => {
    const app = await startApp();
    const changeId = await approvedChange({});
    const answers = await Promise.all([requestDeploy(changeId, 'alice'), requestDeploy(changeId, 'alice')]);
    const accepted = answers.filter((a) => a.deploymentId);
    const refused = answers.filter((a) => a.error);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.error!.code).toBe('conflict');
    expect(refused[0]!.error!.message).toMatch(/being deployed|no longer approved/);
    expect(await getDb().deployment.count({ where: { hostId } })).toBe(1);

    const done = await waitForStatus(accepted[0]!.deploymentId!, ['succeeded', 'failed']);
    expect(done.status, await fullLog(done.id)).toBe('succeeded');
    for (const name of ['df-1', 'df-2']) {
      const vm = await getDb().vm.findUniqueOrThrow({ where: { id: vmIds[name] } });
      expect(await onHost(`virsh domuuid ${name}`)).toBe(vm.uuid);
      expect(await onHost(`virsh domstate ${name}`)).toBe('running');
    }
    expect((await deployedRevision(hostId))?.id).toBe(done.revisionId);
    expect((await getDb().change.findUniqueOrThrow({ where: { id: changeId } })).status).toBe('deployed');
    await stopApp(app);
  }, 180_000);

  it('the app process killed mid-deploy: interrupted on restart, lock free, nothing recorded as deployed', async () => {
    const before = await deployedRevision(hostId);
    const app = await startApp();
    const changeId = await approvedChange({ 'df-1': 'stopped' }); // the guest ignores ACPI: the apply step waits
    const { deploymentId } = await deployChange(changeId, users.alice!);
    await waitForStep(deploymentId, 'apply');
    await stopApp(app, 'SIGKILL');
    expect((await deploymentOf(deploymentId)).status).toBe('running'); // nobody has noticed yet

    const restarted = await startApp(); // its start-up sweep finds the orphan
    const interrupted = await waitForStatus(deploymentId, ['interrupted'], 30_000);
    expect(interrupted.error).toMatch(/interrupted/);
    expect(await fullLog(deploymentId)).toMatch(/── apply[\s\S]*Interrupted: the app process/);
    expect((await getDb().change.findUniqueOrThrow({ where: { id: changeId } })).status).toBe('failed');
    expect((await deployedRevision(hostId))?.id).toBe(before?.id);
    const lock = await tryLockHost(hostId);
    expect(lock).not.toBeNull();
    await lock!.release();
    await stopApp(restarted);
  }, 180_000);

  it('sshd stopped mid-step: failed with its log, lock released, recovered by a rollback', async () => {
    const firstRevision = (
      await getDb().deployment.findFirstOrThrow({ where: { hostId, status: 'succeeded' }, orderBy: { createdAt: 'asc' } })
    ).revisionId;
    const app = await startApp();
    // The failed change from the kill test is re-planned, now stopping df-2 (running, ignores ACPI) as well.
    const failed = await getDb().change.findFirstOrThrow({ where: { hostId, status: 'failed' } });
    await replanChange(failed.id, users.alice!);
    const changeId = await approvedChange({ 'df-1': 'stopped', 'df-2': 'stopped' });
    await onHost('virsh start df-2 2>/dev/null; true');
    const { deploymentId } = await deployChange(changeId, users.alice!);
    await waitForStep(deploymentId, 'apply');
    await labCtl(['sshd-stop', String(labIndex(lab))]);
    let failedRun: Awaited<ReturnType<typeof deploymentOf>>;
    try {
      failedRun = await waitForStatus(deploymentId, ['failed'], 90_000);
    } finally {
      await labCtl(['sshd-start', String(labIndex(lab))]);
    }
    expect(failedRun.error).toBeTruthy();
    const log = await fullLog(deploymentId);
    expect(log).toMatch(/── upload[\s\S]*── apply[\s\S]*Failed: /);
    expect((failedRun.steps as { name: string; status: string }[]).map((s) => s.status)).toEqual(['done', 'failed', 'skipped']);

    // Recovery: roll back to the first revision (both running), reviewed and deployed like any change.
    const rollback = await createRollback(hostId, { revisionId: firstRevision }, users.alice!);
    await proposeChange(rollback.id, users.alice!);
    await approveChange(rollback.id, users.bob!);
    const { deploymentId: rollbackId } = await deployChange(rollback.id, users.alice!); // the lock was released
    const recovered = await waitForStatus(rollbackId, ['succeeded', 'failed']);
    expect(recovered.status, await fullLog(rollbackId)).toBe('succeeded');
    // Nothing of the failed runs was recorded as deployed, so rolling back to the first revision re-applies it.
    expect(recovered.kind).toBe('reapply');
    for (const name of ['df-1', 'df-2']) expect(await onHost(`virsh domstate ${name}`)).toBe('running');
    expect((await deployedRevision(hostId))?.id).toBe(firstRevision);
    // A re-apply leaves the desired state alone: the failed change (both stopped) can be re-planned and tried again.
    const vms = await getDb().vm.findMany({ where: { hostId }, select: { desiredPower: true } });
    expect(vms.map((v) => v.desiredPower)).toEqual(['stopped', 'stopped']);
    await replanChange(changeId, users.alice!);
    expect((await getDb().change.findUniqueOrThrow({ where: { id: changeId } })).status).toBe('draft');

    // Nothing lost: every deployment is still there with its log.
    const all = await getDb().deployment.findMany({ where: { hostId }, include: { _count: { select: { logChunks: true } } } });
    expect(all.map((d) => d.status).sort()).toEqual(['failed', 'interrupted', 'succeeded', 'succeeded']);
    for (const d of all) expect(d._count.logChunks).toBeGreaterThan(0);
    await stopApp(app);
  }, 300_000);
});
