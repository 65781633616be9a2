// Power actions on one VM: start, ACPI shutdown, ACPI reboot, force off
// (virsh destroy), suspend (pause) and resume. The domain is addressed by its
// UUID, commands are argument vectors (no shell), and the action is checked
// against the state just read from the host, so the operator gets "web1 is
// already running" rather than a libvirt error. Afterwards the domain's state
// is read again and stored, so the page shows it at once.
import { getDb } from '@/lib/db';
import type { VmLiveState } from '@/lib/generated/prisma/enums';
import { exec, SshError, type SshTarget } from '@/lib/ssh';
import { contactRefusal, DOMSTATS_STATE_ARGS, parseDomstats, virshMessage } from '@/lib/hosts/live';
import { localLibvirtUri, UNSAFE_CONFIG } from '@/lib/hosts/safety';
import { sshFailure } from '@/lib/hosts/onboarding';
import { DomainError, notFound, type ErrorCode } from '@/lib/errors';
import { POWER_ACTIONS, powerRefusal, type PowerAction } from '@/lib/hosts/power-rules';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';

export { POWER_ACTIONS, type PowerAction };

/** A power action that does not apply or failed on the host (lib/errors): a conflict unless a code says otherwise. */
export class PowerError extends DomainError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super(code, message);
  }
}

export type PowerResult = {
  vmId: string;
  name: string;
  action: PowerAction;
  /** The state read back from the host after the action. */
  state: VmLiveState;
  message: string;
};

const TIMEOUT_MS: Record<PowerAction, number> = {
  start: 90_000,
  shutdown: 30_000,
  reboot: 30_000,
  'force-off': 90_000,
  suspend: 30_000,
  resume: 30_000,
};

/** The virsh arguments (after `virsh -c URI`) for `action`; resume from a guest power-management sleep is a wake-up. */
export function powerCommand(action: PowerAction, uuid: string, state: VmLiveState): string[] {
  switch (action) {
    case 'start':
      return ['start', uuid];
    case 'shutdown':
      return ['shutdown', uuid, '--mode', 'acpi'];
    case 'reboot':
      return ['reboot', uuid, '--mode', 'acpi'];
    case 'force-off':
      return ['destroy', uuid];
    case 'suspend':
      return ['suspend', uuid];
    case 'resume':
      return state === 'pmsuspended' ? ['dompmwakeup', uuid] : ['resume', uuid];
  }
}

function doneMessage(name: string, action: PowerAction, state: VmLiveState): string {
  switch (action) {
    case 'start':
      return `${name} started`;
    case 'shutdown':
      return state === 'shut_off'
        ? `${name} shut down`
        : `Sent ${name} an ACPI shutdown request: it powers off once its guest OS handles it (force off if it does not).`;
    case 'reboot':
      return `Sent ${name} an ACPI reboot request: it restarts once its guest OS handles it.`;
    case 'force-off':
      return `${name} was forced off`;
    case 'suspend':
      return `${name} is paused`;
    case 'resume':
      return `${name} is running again`;
  }
}

type Ctx = { target: SshTarget; uri: string; uuid: string; name: string; hostName: string };

/** The domain's state now (locale-independent numbers from domstats). */
async function domainState(ctx: Ctx): Promise<VmLiveState> {
  const r = await exec(ctx.target, ['virsh', '-c', ctx.uri, ...DOMSTATS_STATE_ARGS, ctx.uuid], { timeoutMs: 30_000 });
  if (r.code !== 0) {
    const why = virshMessage(r.stderr);
    if (/failed to get domain|domain not found|no domain with matching/i.test(why)) {
      throw new PowerError(`${ctx.name} is not defined on ${ctx.hostName} (no domain with UUID ${ctx.uuid}): deploy it first`);
    }
    throw new PowerError(`Could not read the state of ${ctx.name}: ${why}`);
  }
  const [stats] = parseDomstats(r.stdout);
  if (!stats) throw new PowerError(`Could not read the state of ${ctx.name}: virsh printed no stats`);
  return stats.state;
}

/** Runs a power action on the VM and stores the state it leaves the domain in. Throws PowerError with a message for the operator. */
export async function powerAction(vmId: string, action: PowerAction): Promise<PowerResult> {
  if (!POWER_ACTIONS.includes(action)) throw new PowerError(`Unknown power action "${String(action)}"`, 'invalid_input');
  const db = getDb();
  const vm = await db.vm.findUnique({ where: { id: vmId }, include: { host: true } });
  if (!vm) throw notFound('VM');
  const { host } = vm;
  const skip = await contactRefusal(host);
  if (skip) throw new PowerError(`Cannot reach ${host.name}: ${skip}`);

  try {
    const ctx: Ctx = { target: await sshTargetFor(host), uri: localLibvirtUri(host), uuid: vm.uuid, name: vm.name, hostName: host.name };
    const before = await domainState(ctx);
    const refusal = powerRefusal(vm.name, before, action);
    if (refusal) {
      await store(vmId, before);
      throw new PowerError(refusal);
    }
    const r = await exec(ctx.target, ['virsh', '-c', ctx.uri, ...powerCommand(action, vm.uuid, before)], { timeoutMs: TIMEOUT_MS[action] });
    if (r.code !== 0) {
      const after = await domainState(ctx).catch(() => null);
      if (after) await store(vmId, after);
      throw new PowerError(`${vm.name}: ${virshMessage(r.stderr) || `virsh exited with ${r.code ?? r.signal}`}`);
    }
    const state = await domainState(ctx);
    await store(vmId, state);
    await db.host.updateMany({
      where: { id: host.id, status: { notIn: ['host_key_changed', UNSAFE_CONFIG] } },
      data: { status: 'online', statusReason: null, lastSeenAt: new Date() },
    });
    return { vmId, name: vm.name, action, state, message: doneMessage(vm.name, action, state) };
  } catch (error) {
    if (error instanceof SshError) throw await sshFailure(host.id, error);
    throw error;
  }
}

async function store(vmId: string, state: VmLiveState): Promise<void> {
  await getDb().vm.update({ where: { id: vmId }, data: { liveState: state, liveAt: new Date() } });
}
