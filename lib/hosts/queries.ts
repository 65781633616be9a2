// Read models of hosts and VMs for lists and pages: searched, filtered, paged in the database.
import { getDb, type Prisma } from '@/lib/db';
import { looksLikeUuid } from '@/lib/spec';
import { redactVmSpec } from '@/lib/security/redact';
import { DEFAULT_PAGE_SIZE, nextPage, pageWindow } from '@/lib/api/paging';
import { DomainError, notFound } from '@/lib/errors';

export const PAGE_SIZE = DEFAULT_PAGE_SIZE;

/** pageSize is clamped to 1…MAX_PAGE_SIZE (lib/api/paging). */
export type ListQuery = { q?: string; page?: number; pageSize?: number; sort?: string };

export const HOST_STATUSES = ['new', 'online', 'unreachable', 'host_key_changed', 'unsafe_config'] as const;
export const VM_STATES = ['unknown', 'running', 'paused', 'shut_off', 'crashed', 'pmsuspended', 'other'] as const;
export const HOST_SORTS = {
  name: { name: 'asc' },
  status: [{ status: 'asc' }, { name: 'asc' }],
  vms: [{ vms: { _count: 'desc' } }, { name: 'asc' }],
  seen: [{ lastSeenAt: { sort: 'desc', nulls: 'last' } }, { name: 'asc' }],
} as const;
export const VM_SORTS = {
  name: [{ name: 'asc' }, { id: 'asc' }],
  host: [{ host: { name: 'asc' } }, { name: 'asc' }],
  memory: [{ memoryMiB: 'desc' }, { name: 'asc' }],
  vcpus: [{ vcpus: 'desc' }, { name: 'asc' }],
  state: [{ liveState: 'asc' }, { name: 'asc' }],
} as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

function pageOf(query: ListQuery) {
  return pageWindow(query, PAGE_SIZE);
}

export async function listHosts(query: ListQuery & { status?: string }) {
  const db = getDb();
  const status = oneOf(query.status, HOST_STATUSES);
  const where: Prisma.HostWhereInput = {
    ...(query.q
      ? { OR: [{ name: { contains: query.q, mode: 'insensitive' } }, { address: { contains: query.q, mode: 'insensitive' } }] }
      : {}),
    ...(status ? { status } : {}),
  };
  const orderBy = HOST_SORTS[oneOf(query.sort, Object.keys(HOST_SORTS) as (keyof typeof HOST_SORTS)[]) ?? 'name'] as
    | Prisma.HostOrderByWithRelationInput
    | Prisma.HostOrderByWithRelationInput[];
  const { page, pageSize, skip, take } = pageOf(query);
  const [total, hosts] = await Promise.all([
    db.host.count({ where }),
    db.host.findMany({
      where,
      orderBy,
      skip,
      take,
      select: {
        id: true,
        name: true,
        address: true,
        port: true,
        sshUser: true,
        flavour: true,
        status: true,
        lastSeenAt: true,
        _count: { select: { vms: true } },
      },
    }),
  ]);
  return { total, page, pageSize, nextPage: nextPage(total, page, pageSize), hosts };
}

export async function listVms(query: ListQuery & { hostId?: string; state?: string }) {
  const db = getDb();
  const state = oneOf(query.state, VM_STATES);
  const orderBy = VM_SORTS[
    oneOf(query.sort, Object.keys(VM_SORTS) as (keyof typeof VM_SORTS)[]) ?? 'name'
  ] as unknown as Prisma.VmOrderByWithRelationInput[];
  const where: Prisma.VmWhereInput = {
    ...(query.hostId ? { hostId: query.hostId } : {}),
    ...(state ? { liveState: state } : {}),
    ...(query.q ? { OR: [{ name: { contains: query.q, mode: 'insensitive' } }, { tags: { has: query.q } }] } : {}),
  };
  const { page, pageSize, skip, take } = pageOf(query);
  const [total, vms] = await Promise.all([
    db.vm.count({ where }),
    db.vm.findMany({
      where,
      orderBy,
      skip,
      take,
      select: {
        id: true,
        name: true,
        vcpus: true,
        memoryMiB: true,
        desiredPower: true,
        liveState: true,
        removed: true,
        tags: true,
        host: { select: { id: true, name: true } },
      },
    }),
  ]);
  return { total, page, pageSize, nextPage: nextPage(total, page, pageSize), vms };
}

/** The host, or null for an unknown or malformed id. */
export async function getHost(id: string) {
  return looksLikeUuid(id) ? getDb().host.findUnique({ where: { id } }) : null;
}

/** The host, or not_found (404) for an unknown or malformed id. */
export async function getHostOrThrow(id: string) {
  const host = await getHost(id);
  if (!host) throw notFound('host');
  return host;
}

/** The host with how many VMs it has (the API's host resource), or not_found. */
export async function getHostWithVmCount(id: string) {
  const host = looksLikeUuid(id) ? await getDb().host.findUnique({ where: { id }, include: { _count: { select: { vms: true } } } }) : null;
  if (!host) throw notFound('host');
  return host;
}

/** The host named `name`, or not_found. */
export async function getHostByName(name: string) {
  const host = await getDb().host.findUnique({ where: { name } });
  if (!host) throw new DomainError('not_found', `No host named "${name}"`);
  return host;
}

/** The VM named `name` on a host, or not_found. */
export async function getVmByName(host: { id: string; name: string }, name: string) {
  const vm = await getDb().vm.findUnique({ where: { hostId_name: { hostId: host.id, name } } });
  if (!vm) throw new DomainError('not_found', `No VM named "${name}" on ${host.name}`);
  return vm;
}

/** The names of every VM Hostdeck keeps for the host (removed ones too). */
export async function managedVmNames(hostId: string): Promise<Set<string>> {
  return new Set((await getDb().vm.findMany({ where: { hostId }, select: { name: true } })).map((v) => v.name));
}

/** A VM row as viewers may see it: cloud-init user-data in its spec replaced by a marker. */
export function redactVm<T extends { spec: Prisma.JsonValue }>(vm: T, revealSecrets: boolean): T {
  return revealSecrets ? vm : { ...vm, spec: redactVmSpec(vm.spec) };
}

/**
 * The VM with its host, or null for an unknown or malformed id. User-data is
 * redacted unless `revealSecrets` (operators and above: lib/security/redact canReadSecrets).
 */
export async function getVm(id: string, { revealSecrets = false }: { revealSecrets?: boolean } = {}) {
  const vm = looksLikeUuid(id)
    ? await getDb().vm.findUnique({ where: { id }, include: { host: { select: { id: true, name: true, spec: true } } } })
    : null;
  return vm && redactVm(vm, revealSecrets);
}

/** The VM row (user-data redacted unless `revealSecrets`), or not_found (404) for an unknown or malformed id. */
export async function getVmOrThrow(id: string, { revealSecrets = false }: { revealSecrets?: boolean } = {}) {
  const vm = looksLikeUuid(id) ? await getDb().vm.findUnique({ where: { id } }) : null;
  if (!vm) throw notFound('VM');
  return redactVm(vm, revealSecrets);
}

/** The host's CPU and memory history (oldest first), for the host page's charts. */
export async function hostMetrics(hostId: string) {
  const rows = await getDb().hostMetric.findMany({
    where: { hostId },
    orderBy: { at: 'desc' },
    take: 720,
    select: { at: true, cpuPercent: true, memUsedMiB: true, memTotalMiB: true },
  });
  return rows.reverse();
}

/** The VM's CPU and memory history (oldest first), for the VM page's chart. */
export async function vmMetrics(vmId: string) {
  const rows = await getDb().vmMetric.findMany({
    where: { vmId },
    orderBy: { at: 'desc' },
    take: 720,
    select: { at: true, cpuPercent: true, memUsedMiB: true },
  });
  return rows.reverse();
}
