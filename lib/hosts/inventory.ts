// The desired state kept in the database: hosts and their VMs as specs. Every
// write validates the whole host with its VMs (lib/spec), so the database only
// ever holds a {host, vms} document that renders; UUIDs and MACs are assigned
// once and kept on every edit.
//
// The libvirt URI decides what Hostdeck's commands on the host connect to, so
// only admins choose it: others create hosts with the default qemu:///system
// and may keep, not change, a host's URI. An admin saving a valid URI on a host
// marked unsafe_config returns it to `new` (the next poll or facts read
// brings it online, as after onboarding).
//
// Removing a host (removeHost) takes it and everything Hostdeck keeps about it
// out of the database in one transaction; nothing is sent to the host, so its
// domains keep running there and can be imported again.
import { getDb, type Prisma } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import { defaultPool } from '@/lib/ssh';
import { hasRole, type Role } from '@/lib/auth/roles';
import { hostConfigProblem, UNSAFE_CONFIG } from '@/lib/hosts/safety';
import { vmSpecOf } from '@/lib/hosts/columns';
import {
  assignIdentity,
  crossCheckHostWithVms,
  formatIssues,
  hostSpecSchema,
  operatorErrorMap,
  parseHostWithVms,
  vmDraftSchema,
  type FieldIssue,
  type HostSpec,
  type HostWithVms,
  LIBVIRT_URIS,
  type VmSpec,
} from '@/lib/spec';

export type SaveResult = { ok: true; id: string } | { ok: false; issues: FieldIssue[] };

const json = (value: unknown) => value as Prisma.InputJsonValue;

function hostColumns(spec: HostSpec) {
  return {
    name: spec.name,
    address: spec.address,
    port: spec.sshPort,
    sshUser: spec.sshUser,
    flavour: spec.flavour,
    libvirtUri: spec.libvirtUri,
    spec: json(spec),
  };
}

function vmColumns(spec: VmSpec) {
  return {
    name: spec.name,
    uuid: spec.uuid,
    vcpus: spec.vcpus,
    memoryMiB: spec.memoryMiB,
    desiredPower: spec.powerState,
    autostart: spec.autostart,
    description: spec.description,
    tags: spec.tags,
    removed: spec.remove,
    spec: json(spec),
  };
}

/** The host's VMs as stored, in name order. */
async function storedVms(hostId: string, exceptVmId?: string): Promise<{ id: string; spec: VmSpec }[]> {
  const rows = await getDb().vm.findMany({
    where: { hostId, ...(exceptVmId ? { NOT: { id: exceptVmId } } : {}) },
    orderBy: { name: 'asc' },
    select: { id: true, spec: true },
  });
  return rows.map((r) => ({ id: r.id, spec: vmSpecOf(r) }));
}

/** The {host, vms} document of a host, validated again (specs written by older versions are reported, not trusted). */
export async function loadHostWithVms(
  hostId: string,
): Promise<{ host: { id: string; name: string }; doc: ReturnType<typeof parseHostWithVms> } | null> {
  const host = await getDb().host.findUnique({ where: { id: hostId }, select: { id: true, name: true, spec: true } });
  if (!host) return null;
  const vms = await storedVms(hostId);
  return { host: { id: host.id, name: host.name }, doc: parseHostWithVms({ host: host.spec, vms: vms.map((v) => v.spec) }) };
}

export const DEFAULT_LIBVIRT_URI = LIBVIRT_URIS[0];

/**
 * Validates and stores a host spec. `role` is the saving user's (effective)
 * role: only an admin may set a libvirt URI other than the host's current one
 * (on a new host: other than qemu:///system). Without a role — Hostdeck's own
 * saves, such as an import adding pools — the URI cannot change either.
 */
export async function saveHost(input: { id?: string; spec: unknown }, options: { role?: Role } = {}): Promise<SaveResult> {
  const parsed = hostSpecSchema.safeParse(input.spec, { error: operatorErrorMap });
  if (!parsed.success) return { ok: false, issues: formatIssues(parsed.error) };
  const spec = parsed.data;
  const db = getDb();
  const clash = await db.host.findUnique({ where: { name: spec.name }, select: { id: true } });
  if (clash && clash.id !== input.id) return { ok: false, issues: [{ path: 'name', message: `a host named ${spec.name} already exists` }] };
  const admin = options.role !== undefined && hasRole(options.role, 'admin');
  if (!input.id) {
    if (spec.libvirtUri !== DEFAULT_LIBVIRT_URI && !admin)
      return { ok: false, issues: [uriNeedsAdmin(`a new host uses ${DEFAULT_LIBVIRT_URI}`)] };
    // The cross-field checks (bridge uplinks, bond members…) apply to a new host as to an edited one.
    const whole = parseHostWithVms({ host: spec, vms: [] });
    if (!whole.ok) return { ok: false, issues: whole.issues.map(relativeToHost) };
    const created = await db.host.create({ data: hostColumns(spec), select: { id: true } });
    return { ok: true, id: created.id };
  }
  const current = await db.host.findUnique({ where: { id: input.id }, select: { libvirtUri: true, spec: true, status: true } });
  if (!current) return { ok: false, issues: [{ path: '', message: 'this host no longer exists' }] };
  const currentSpecUri = (current.spec as { libvirtUri?: unknown } | null)?.libvirtUri;
  const changesUri = spec.libvirtUri !== current.libvirtUri || (currentSpecUri !== undefined && spec.libvirtUri !== currentSpecUri);
  if (changesUri && !admin) {
    const refused = hostConfigProblem({ libvirtUri: current.libvirtUri, spec: current.spec }) !== null;
    return {
      ok: false,
      issues: [uriNeedsAdmin(refused ? 'the stored one is refused too, so an admin must set it' : `keep ${current.libvirtUri}`)],
    };
  }
  const vms = await storedVms(input.id);
  const whole = parseHostWithVms({ host: spec, vms: vms.map((v) => v.spec) });
  if (!whole.ok) return { ok: false, issues: whole.issues.map(relativeToHost) };
  // Refused settings are fixed by this save (the whole spec validated): the host starts over as `new`.
  const fixed = current.status === UNSAFE_CONFIG && hostConfigProblem({ libvirtUri: spec.libvirtUri, spec }) === null;
  const updated = await db.host.updateMany({
    where: { id: input.id },
    data: { ...hostColumns(spec), ...(fixed ? { status: 'new', statusReason: null } : {}) },
  });
  if (updated.count === 0) return { ok: false, issues: [{ path: '', message: 'this host no longer exists' }] };
  return { ok: true, id: input.id };
}

function uriNeedsAdmin(otherwise: string): FieldIssue {
  return {
    path: 'libvirtUri',
    message: `only an admin can change the libvirt URI (it decides what Hostdeck's commands on the host connect to); ${otherwise}, or ask an admin`,
  };
}

/** `host.network.bridges[0]` → `network.bridges[0]`; VM issues keep their `vms[…]` path. */
function relativeToHost(issue: FieldIssue): FieldIssue {
  return issue.path.startsWith('host.') ? { ...issue, path: issue.path.slice(5) } : issue.path === 'host' ? { ...issue, path: '' } : issue;
}

export async function saveVm(input: { hostId: string; id?: string; spec: unknown }): Promise<SaveResult> {
  const db = getDb();
  const host = await db.host.findUnique({ where: { id: input.hostId }, select: { spec: true } });
  if (!host) return { ok: false, issues: [{ path: '', message: 'this host no longer exists' }] };
  const existing = input.id ? await db.vm.findFirst({ where: { id: input.id, hostId: input.hostId } }) : null;
  if (input.id && !existing) return { ok: false, issues: [{ path: '', message: 'this VM no longer exists' }] };
  const others = await storedVms(input.hostId, input.id);
  const ownPath = `vms[${others.length}]`;
  const relative = (issues: FieldIssue[]) =>
    issues.map((issue) =>
      issue.path === ownPath
        ? { ...issue, path: '' }
        : issue.path.startsWith(ownPath)
          ? { ...issue, path: issue.path.slice(ownPath.length).replace(/^\./, '') }
          : issue,
    );

  const parsed = vmDraftSchema.safeParse(input.spec, { error: operatorErrorMap });
  if (!parsed.success) {
    // Report the cross-field problems (unknown bridge, pool…) together with the shape ones.
    const cross = formatIssues(crossCheckHostWithVms({ host: host.spec, vms: [...others.map((o) => o.spec), input.spec] }));
    return {
      ok: false,
      issues: [...formatIssues(parsed.error), ...relative(cross).filter((i) => !i.path.startsWith('vms[') && !i.path.startsWith('host'))],
    };
  }

  // Identity: the UUID is the stored one; MACs already assigned to this VM are kept, new interfaces get new ones.
  const ownMacs = new Set(((existing ? vmSpecOf(existing) : undefined)?.interfaces ?? []).map((nic) => nic.mac));
  const draft = {
    ...parsed.data,
    uuid: existing?.uuid ?? parsed.data.uuid,
    interfaces: parsed.data.interfaces.map((nic) => (nic.mac && (ownMacs.has(nic.mac) || !existing) ? nic : { ...nic, mac: undefined })),
  };
  const spec = assignIdentity(draft);

  const whole = parseHostWithVms({ host: host.spec, vms: [...others.map((o) => o.spec), spec] });
  if (!whole.ok) return { ok: false, issues: relative(whole.issues) };
  if (existing) {
    await db.vm.update({ where: { id: existing.id }, data: vmColumns(spec) });
    return { ok: true, id: existing.id };
  }
  const created = await db.vm.create({ data: { hostId: input.hostId, ...vmColumns(spec) }, select: { id: true } });
  return { ok: true, id: created.id };
}

export type RemovedHost = { id: string; name: string; vms: number };

/**
 * Takes a host out of the inventory: its VMs, revisions, changes, deployments
 * and metrics go with it, all in one transaction (nothing half-deleted). The
 * host itself is not contacted: its domains keep running. Refused (conflict)
 * while a deployment of the host is queued or running.
 */
export async function removeHost(id: string): Promise<RemovedHost> {
  const removed = await getDb().$transaction(async (tx) => {
    // Lock the row first, so a deployment queued meanwhile waits for this transaction.
    const locked = await tx.$queryRaw<{ id: string; name: string }[]>`SELECT id::text, name FROM "Host" WHERE id = ${id}::uuid FOR UPDATE`;
    const host = locked[0];
    if (!host) throw notFound('host');
    const active = await tx.deployment.count({ where: { hostId: id, status: { in: ['queued', 'running'] } } });
    if (active > 0)
      throw new DomainError('conflict', `${host.name} is being deployed; remove it once the deployment has finished or been cancelled`);
    const vms = await tx.vm.count({ where: { hostId: id } });
    // Deployments and changes first: they hold revisions (ON DELETE RESTRICT).
    await tx.deployment.deleteMany({ where: { hostId: id } });
    await tx.change.deleteMany({ where: { hostId: id } });
    await tx.revision.deleteMany({ where: { hostId: id } });
    await tx.vm.deleteMany({ where: { hostId: id } }); // their metrics and console tickets cascade
    await tx.hostMetric.deleteMany({ where: { hostId: id } });
    await tx.host.delete({ where: { id } });
    return { id: host.id, name: host.name, vms };
  });
  // This process's SSH connection to the host, if any, is no longer wanted.
  await defaultPool().close(removed.id);
  return removed;
}

/**
 * After a rollback deployed an earlier revision: the desired state becomes that
 * revision's again (its {host, vms} document, stored with the revision), so the
 * next edit starts from what runs. VMs are matched by UUID; VMs the revision
 * does not know stay as they are (they show in the next plan). A document that
 * no longer validates (a revision from an older version) changes nothing.
 */
export async function restoreDesiredState(hostId: string, revisionSpec: unknown): Promise<boolean> {
  const parsed = parseHostWithVms(revisionSpec);
  if (!parsed.ok) return false;
  const { host, vms } = parsed.value;
  const db = getDb();
  await db.$transaction(async (tx) => {
    await tx.host.update({ where: { id: hostId }, data: hostColumns(host) });
    for (const vm of vms) {
      const existing = await tx.vm.findFirst({ where: { hostId, uuid: vm.uuid }, select: { id: true } });
      if (existing) await tx.vm.update({ where: { id: existing.id }, data: vmColumns(vm) });
      else await tx.vm.create({ data: { hostId, ...vmColumns(vm) } });
    }
  });
  return true;
}

export type { HostWithVms };
