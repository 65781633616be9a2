// Live state of a host and its domains: one SSH round trip per poll runs a
// fixed script (the libvirt URI is its only, positional, argument) that prints
// the host's CPU counters and memory and `virsh domstats` of every domain.
// pollHost stores what it read: each VM's live state, a metric row per running
// VM and one per host (a short history only), and the host's reachability —
// an SSH failure marks the host unreachable with the reason, the next good poll
// marks it online again. Hosts without a pinned key or whose key changed are
// never contacted, nor are hosts whose stored settings are refused (an unsafe
// libvirt URI, lib/hosts/safety): those are marked unsafe_config instead.
import { getDb } from '@/lib/db';
import { DomainError, type ErrorCode } from '@/lib/errors';
import type { VmLiveState } from '@/lib/generated/prisma/enums';
import { exec, SshError } from '@/lib/ssh';
import { recordSshFailure } from '@/lib/hosts/onboarding';
import { sshTargetFor } from '@/lib/hosts/ssh-keys';
import { hostScript } from '@/lib/hosts/scripts';
import { hostConfigProblem, localLibvirtUri, unsafeConfigRefusal, UNSAFE_CONFIG } from '@/lib/hosts/safety';

/** How long metric rows are kept. */
export const METRICS_RETENTION_MS = 2 * 60 * 60 * 1000;
/** A previous sample older than this is not used for a CPU percentage (the VM or poller was away). */
const MAX_RATE_GAP_MS = 5 * 60 * 1000;
const POLL_TIMEOUT_MS = 30_000;

/** lib/hosts/scripts/live.sh: host counters and `virsh domstats` of every domain. */
export const LIVE_SCRIPT = hostScript('live.sh');

/** The flags every domstats call uses (the poll above, and power.ts for one domain). */
export const DOMSTATS_STATE_ARGS = ['domstats', '--raw', '--nowait', '--state'] as const;

export type DomainStats = {
  name: string;
  state: VmLiveState;
  /** libvirt's virDomainState number (0 nostate … 7 pmsuspended), null when missing. */
  stateCode: number | null;
  stateReason: number | null;
  /** Total CPU time of the domain, ns (running domains; libvirt may report a stale value for shut-off ones). */
  cpuTimeNs: bigint | null;
  /** Memory currently given to the guest (balloon.current), KiB. */
  memoryKiB: number | null;
  memoryMaxKiB: number | null;
  /** In use by the guest: guest-reported (available − unused) when the balloon driver reports it, else the QEMU process's RSS. */
  memoryUsedKiB: number | null;
  /** Sums over all disks / interfaces; null when the domain reported none (e.g. shut off). */
  diskReadBytes: bigint | null;
  diskWriteBytes: bigint | null;
  netRxBytes: bigint | null;
  netTxBytes: bigint | null;
};

/** virDomainState → the stored state. A blocked ("idle") or shutting-down domain is still running. */
export function liveStateFromCode(code: number | null): VmLiveState {
  switch (code) {
    case 1: // running
    case 2: // blocked on a resource
    case 4: // being shut down
      return 'running';
    case 3:
      return 'paused';
    case 5:
      return 'shut_off';
    case 6:
      return 'crashed';
    case 7:
      return 'pmsuspended';
    case 0:
      return 'other';
    default:
      return 'unknown';
  }
}

/** States in which a domain has a QEMU process (and so CPU/memory/IO numbers worth keeping). */
export function isActiveState(state: VmLiveState): boolean {
  return state === 'running' || state === 'paused' || state === 'pmsuspended' || state === 'crashed';
}

function int(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

function big(value: string | undefined): bigint | null {
  return value !== undefined && /^\d+$/.test(value) ? BigInt(value) : null;
}

/** Sum of `<prefix>.<i>.<field>` over i < `<prefix>.count`; null when there are none. */
function sumIndexed(fields: Map<string, string>, prefix: 'block' | 'net', field: string): bigint | null {
  const count = int(fields.get(`${prefix}.count`)) ?? 0;
  let total: bigint | null = null;
  for (let i = 0; i < count; i++) {
    const v = big(fields.get(`${prefix}.${i}.${field}`));
    if (v !== null) total = (total ?? 0n) + v;
  }
  return total;
}

function toStats(name: string, fields: Map<string, string>): DomainStats {
  const stateCode = int(fields.get('state.state'));
  const available = int(fields.get('balloon.available'));
  const unused = int(fields.get('balloon.unused'));
  const rss = int(fields.get('balloon.rss'));
  return {
    name,
    state: liveStateFromCode(stateCode),
    stateCode,
    stateReason: int(fields.get('state.reason')),
    cpuTimeNs: big(fields.get('cpu.time')),
    memoryKiB: int(fields.get('balloon.current')),
    memoryMaxKiB: int(fields.get('balloon.maximum')),
    memoryUsedKiB: available !== null && unused !== null && available >= unused ? available - unused : rss,
    diskReadBytes: sumIndexed(fields, 'block', 'rd.bytes'),
    diskWriteBytes: sumIndexed(fields, 'block', 'wr.bytes'),
    netRxBytes: sumIndexed(fields, 'net', 'rx.bytes'),
    netTxBytes: sumIndexed(fields, 'net', 'tx.bytes'),
  };
}

/**
 * Parses `virsh domstats --raw …` output: blocks of `Domain: 'NAME'` followed
 * by indented `key=value` lines (libvirt 9.0). Unknown keys are ignored.
 */
export function parseDomstats(text: string): DomainStats[] {
  const result: DomainStats[] = [];
  let name: string | null = null;
  let fields = new Map<string, string>();
  const flush = () => {
    if (name !== null) result.push(toStats(name, fields));
  };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const header = /^Domain: '(.*)'$/.exec(line);
    if (header) {
      flush();
      name = header[1]!;
      fields = new Map();
      continue;
    }
    const kv = /^\s+([^=\s]+)=(.*)$/.exec(line);
    if (kv && name !== null) fields.set(kv[1]!, kv[2]!);
  }
  flush();
  return result;
}

export type HostSample = {
  /** Cumulative jiffies from /proc/stat's `cpu` line: busy (everything but idle and iowait) and total. */
  cpu: { busy: number; total: number } | null;
  memTotalKiB: number | null;
  memAvailableKiB: number | null;
};

export type LiveOutput = HostSample & {
  domains: DomainStats[];
  /** virsh's message when domstats failed (libvirtd down, bad URI…); the domains are then unknown. */
  virshError: string | null;
};

/** Parses the whole output of LIVE_SCRIPT. Throws when it was cut off. */
export function parseLiveOutput(output: string): LiveOutput {
  const sections = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.split('\n')) {
    const marker = /^@@hostdeck:([a-z-]+)$/.exec(line);
    if (marker) {
      current = [];
      sections.set(marker[1]!, current);
    } else current?.push(line);
  }
  if (!sections.has('end')) throw new Error('the live-state script did not finish; its output was cut off');

  const cpuLine = (sections.get('stat') ?? []).find((l) => /^cpu\s/.test(l));
  let cpu: HostSample['cpu'] = null;
  if (cpuLine) {
    // user nice system idle iowait irq softirq steal (guest time is already counted in user/nice)
    const n = cpuLine.trim().split(/\s+/).slice(1, 9).map(Number);
    if (n.length >= 4 && n.every(Number.isFinite)) {
      const total = n.reduce((a, b) => a + b, 0);
      cpu = { busy: total - n[3]! - (n[4] ?? 0), total };
    }
  }
  const mem = (key: string) => int(/(\d+)/.exec((sections.get('meminfo') ?? []).find((l) => l.startsWith(`${key}:`)) ?? '')?.[1]);

  const domstats = (sections.get('domstats') ?? []).join('\n');
  const exit = (sections.get('virsh-exit') ?? [])[0]?.trim();
  const virshError = exit === '0' ? null : virshMessage(domstats) || `virsh exited with ${exit ?? 'no status'}`;
  return {
    cpu,
    memTotalKiB: mem('MemTotal'),
    memAvailableKiB: mem('MemAvailable'),
    domains: virshError ? [] : parseDomstats(domstats),
    virshError,
  };
}

/** virsh's `error: …` lines as one message ("Failed to start domain 'x': Requested operation is not valid: …"). */
export function virshMessage(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errors = lines.filter((l) => l.startsWith('error: ')).map((l) => l.slice('error: '.length));
  return (errors.length ? errors : lines).join(': ').slice(0, 500);
}

type HostRow = NonNullable<Awaited<ReturnType<typeof loadHost>>>;

function loadHost(hostId: string) {
  return getDb().host.findUnique({ where: { id: hostId } });
}

/** Why Hostdeck must not contact this host, or null when it may. */
export function skipReason(host: {
  hostKeyFingerprint: string | null;
  status: string;
  libvirtUri?: string;
  spec?: unknown;
}): string | null {
  if (!host.hostKeyFingerprint) return 'the host key is not confirmed yet';
  if (host.status === 'host_key_changed') return 'the host key changed; an admin must re-pin it';
  if (host.status === UNSAFE_CONFIG) return 'its stored settings are refused (unsafe configuration); an admin must fix them';
  if (host.libvirtUri !== undefined) {
    const problem = hostConfigProblem({ libvirtUri: host.libvirtUri, spec: host.spec });
    if (problem) return problem;
  }
  return null;
}

/**
 * skipReason, and a host found with refused settings is marked unsafe_config
 * (with what is wrong and what to do) on the way.
 */
export async function contactRefusal(host: HostRow): Promise<string | null> {
  const unsafe = await unsafeConfigRefusal(host);
  return unsafe ?? skipReason(host);
}

/** The host may not be contacted, or its answer was unusable (lib/errors): a conflict unless a code says otherwise. */
export class LiveStateError extends DomainError {
  constructor(message: string, code: ErrorCode = 'conflict') {
    super(code, message);
  }
}

export type LiveSnapshot = LiveOutput & {
  /** When the command was sent (a VM state written later by a power action wins over this snapshot). */
  startedAt: Date;
  /** When the answer arrived: the time of the samples. */
  at: Date;
};

async function readFrom(host: HostRow): Promise<LiveSnapshot> {
  const target = await sshTargetFor(host);
  const startedAt = new Date();
  const result = await exec(target, ['sh', '-c', LIVE_SCRIPT, 'hostdeck-live', localLibvirtUri(host)], { timeoutMs: POLL_TIMEOUT_MS });
  const at = new Date();
  if (result.code !== 0)
    throw new LiveStateError(`the live-state script failed (exit ${result.code ?? result.signal}): ${result.stderr.trim().slice(0, 300)}`);
  return { ...parseLiveOutput(result.stdout), startedAt, at };
}

/**
 * Reads the host's CPU/memory counters and the stats of all its domains, in one
 * SSH round trip. Throws LiveStateError when the host may not be contacted, and
 * the SSH layer's errors (SshError) when it cannot be.
 */
export async function readLiveState(hostId: string): Promise<LiveSnapshot> {
  const host = await loadHost(hostId);
  if (!host) throw new LiveStateError('No such host', 'not_found');
  const skip = await contactRefusal(host);
  if (skip) throw new LiveStateError(`Not contacting ${host.name}: ${skip}`);
  return readFrom(host);
}

// The previous /proc/stat counters per host, for the host's CPU percentage. Kept
// in this process only: after a restart (or when another process polled last)
// the first percentage is computed over a longer span, or is empty.
const lastHostCpu = new Map<string, { busy: number; total: number; at: number }>();

function hostCpuPercent(hostId: string, cpu: HostSample['cpu'], at: Date): number | null {
  if (!cpu) return null;
  const prev = lastHostCpu.get(hostId);
  lastHostCpu.set(hostId, { ...cpu, at: at.getTime() });
  if (!prev || at.getTime() - prev.at > MAX_RATE_GAP_MS) return null;
  const total = cpu.total - prev.total;
  const busy = cpu.busy - prev.busy;
  if (total <= 0 || busy < 0) return null;
  return round1(Math.min(100, (busy / total) * 100));
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/** CPU use of a VM between two samples, as a share of its vCPUs (0–100). */
export function vmCpuPercent(
  prev: { cpuTimeNs: bigint | null; at: Date } | undefined,
  cur: { cpuTimeNs: bigint | null; at: Date },
  vcpus: number,
): number | null {
  if (!prev || prev.cpuTimeNs === null || cur.cpuTimeNs === null) return null;
  const dtMs = cur.at.getTime() - prev.at.getTime();
  if (dtMs <= 0 || dtMs > MAX_RATE_GAP_MS || cur.cpuTimeNs < prev.cpuTimeNs) return null;
  const usedMs = Number(cur.cpuTimeNs - prev.cpuTimeNs) / 1e6;
  return round1(Math.min(100, (usedMs / dtMs / Math.max(1, vcpus)) * 100));
}

export type PollResult =
  | { status: 'skipped'; reason: string }
  | { status: 'unreachable' | 'host_key_changed'; reason: string }
  | {
      status: 'online';
      /** VMs of this host found among the domains, and their states. */
      vms: { id: string; name: string; state: VmLiveState; cpuPercent: number | null }[];
      /** Domains on the host that Hostdeck does not manage. */
      unmanaged: string[];
      /** Set when SSH worked but virsh did not (the VMs' states are then unknown). */
      virshError: string | null;
    };

/**
 * Polls one host: reads its live state and stores it (VM states, metrics, host
 * reachability). Never throws for SSH problems — they are recorded on the host.
 */
export async function pollHost(hostId: string): Promise<PollResult> {
  const db = getDb();
  const host = await loadHost(hostId);
  if (!host) return { status: 'skipped', reason: 'no such host' };
  const skip = await contactRefusal(host);
  if (skip) return { status: 'skipped', reason: skip };

  let snap: LiveSnapshot;
  try {
    snap = await readFrom(host);
  } catch (error) {
    if (!(error instanceof SshError)) throw error;
    const reason = await recordSshFailure(hostId, error);
    await db.vm.updateMany({ where: { hostId, liveState: { not: 'unknown' } }, data: { liveState: 'unknown', liveAt: new Date() } });
    const after = await db.host.findUnique({ where: { id: hostId }, select: { status: true } });
    return { status: after?.status === 'host_key_changed' ? 'host_key_changed' : 'unreachable', reason };
  }

  const { at, startedAt } = snap;
  const vms = await db.vm.findMany({ where: { hostId }, select: { id: true, name: true, vcpus: true } });
  const byName = new Map(snap.domains.map((d) => [d.name, d]));
  const previous = await db.vmMetric.findMany({
    where: { vmId: { in: vms.map((v) => v.id) }, at: { gte: new Date(at.getTime() - MAX_RATE_GAP_MS) } },
    orderBy: [{ vmId: 'asc' }, { at: 'desc' }],
    distinct: ['vmId'],
    select: { vmId: true, cpuTimeNs: true, at: true },
  });
  const prevByVm = new Map(previous.map((p) => [p.vmId, p]));

  const seen: { id: string; name: string; state: VmLiveState; cpuPercent: number | null }[] = [];
  const metrics: {
    vmId: string;
    at: Date;
    cpuTimeNs: bigint | null;
    cpuPercent: number | null;
    memUsedMiB: number | null;
    diskReadB: bigint | null;
    diskWriteB: bigint | null;
    netRxB: bigint | null;
    netTxB: bigint | null;
  }[] = [];
  const idsByState = new Map<VmLiveState, string[]>();
  for (const vm of vms) {
    const d = byName.get(vm.name);
    const state: VmLiveState = d?.state ?? 'unknown';
    idsByState.set(state, [...(idsByState.get(state) ?? []), vm.id]);
    if (!d) continue;
    const active = isActiveState(d.state);
    const cpuPercent = active ? vmCpuPercent(prevByVm.get(vm.id), { cpuTimeNs: d.cpuTimeNs, at }, vm.vcpus) : null;
    seen.push({ id: vm.id, name: vm.name, state, cpuPercent });
    if (active) {
      metrics.push({
        vmId: vm.id,
        at,
        cpuTimeNs: d.cpuTimeNs,
        cpuPercent,
        memUsedMiB: d.memoryUsedKiB === null ? null : Math.round(d.memoryUsedKiB / 1024),
        diskReadB: d.diskReadBytes,
        diskWriteB: d.diskWriteBytes,
        netRxB: d.netRxBytes,
        netTxB: d.netTxBytes,
      });
    }
  }
  const managed = new Set(vms.map((v) => v.name));
  const cutoff = new Date(at.getTime() - METRICS_RETENTION_MS);
  const memUsedKiB = snap.memTotalKiB !== null && snap.memAvailableKiB !== null ? snap.memTotalKiB - snap.memAvailableKiB : null;

  await db.$transaction([
    // A state a power action stored after this poll was sent is newer: keep it.
    ...[...idsByState].map(([state, ids]) =>
      db.vm.updateMany({
        where: { id: { in: ids }, OR: [{ liveAt: null }, { liveAt: { lt: startedAt } }] },
        data: { liveState: state, liveAt: at },
      }),
    ),
    db.vmMetric.createMany({ data: metrics }),
    db.hostMetric.create({
      data: {
        hostId,
        at,
        cpuPercent: hostCpuPercent(hostId, snap.cpu, at),
        memUsedMiB: memUsedKiB === null ? null : Math.round(memUsedKiB / 1024),
        memTotalMiB: snap.memTotalKiB === null ? null : Math.round(snap.memTotalKiB / 1024),
      },
    }),
    db.vmMetric.deleteMany({ where: { vm: { hostId }, at: { lt: cutoff } } }),
    db.hostMetric.deleteMany({ where: { hostId, at: { lt: cutoff } } }),
    // Only an unreachable (or new) host comes back online here; a key change seen meanwhile stays.
    db.host.updateMany({
      where: { id: hostId, status: { notIn: ['host_key_changed', UNSAFE_CONFIG] } },
      data: { status: 'online', statusReason: snap.virshError ? `SSH works, but virsh failed: ${snap.virshError}` : null, lastSeenAt: at },
    }),
  ]);
  return {
    status: 'online',
    vms: seen,
    unmanaged: snap.domains.map((d) => d.name).filter((n) => !managed.has(n)),
    virshError: snap.virshError,
  };
}
