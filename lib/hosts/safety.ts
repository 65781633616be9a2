// What Hostdeck refuses to send to a host, whatever the database says.
//
// Nothing an operator types reaches a host except through review. Two rules
// are checked here, on the server, right before anything runs:
//
// - the libvirt URI is local (lib/spec `LIBVIRT_URIS`: qemu:///system or
//   qemu:///session). A host stored with anything else — in the column or in
//   its spec JSON, e.g. written before this rule or straight into the database
//   — is marked `unsafe_config` with the reason, at server start
//   (`markUnsafeHostConfigs`) and at every entry that would contact it
//   (`unsafeConfigRefusal`: poll, facts, power, import), and no command runs
//   until an admin saves a valid URI (lib/hosts/inventory clears the mark).
//   `localLibvirtUri` is the only way the URI is handed to a command.
// - paths reach the host only inside a declared pool folder. lib/spec checks
//   the declared paths; `PATH_CHECK_SCRIPT` / `checkHostPaths` resolve them on
//   the host (`realpath`, paths only as arguments, never in the script text)
//   so a symlink cannot lead out of the pool, and refuse system folders.
//   Deploy code must call `checkHostPaths` (or embed PATH_CHECK_FUNCTION in its
//   fixed script) before it creates, copies or deletes a disk, and pass every
//   path to virsh / qemu-img after `--` (both accept it: virsh's parser treats
//   what follows `--` as data, qemu-img uses getopt).
import { getDb } from '@/lib/db';
import { DomainError } from '@/lib/errors';
import { exec, type SshTarget } from '@/lib/ssh';
import { hostScript, insidePoolFunction } from '@/lib/hosts/scripts';
import { FORBIDDEN_FOLDERS, libvirtUriProblem, LIBVIRT_URIS, type LibvirtUri } from '@/lib/spec';

export const UNSAFE_CONFIG = 'unsafe_config' as const;

/** An error whose message is meant for the operator: the host's stored settings are refused. */
/** A host whose stored settings are refused (lib/errors code host_unsafe_config). */
export class UnsafeHostConfigError extends DomainError {
  constructor(message: string) {
    super('host_unsafe_config', message);
  }
}

type HostConfig = { name?: string; libvirtUri: string; spec?: unknown };

/** Why the host's stored settings must not be used, in words for the operator (what is wrong, what to do), or null. */
export function hostConfigProblem(host: HostConfig): string | null {
  const specUri =
    host.spec !== null && typeof host.spec === 'object' && !Array.isArray(host.spec)
      ? (host.spec as Record<string, unknown>).libvirtUri
      : undefined;
  const problem = libvirtUriProblem(host.libvirtUri) ?? (specUri === undefined ? null : libvirtUriProblem(specUri));
  if (!problem) return null;
  return `Unsafe libvirt URI: ${problem}. Hostdeck does not contact this host until an admin edits the host and sets its libvirt URI to ${LIBVIRT_URIS.join(' or ')}.`;
}

/** The host's libvirt URI, for a command — only ever a local one. Throws UnsafeHostConfigError otherwise. */
export function localLibvirtUri(host: HostConfig): LibvirtUri {
  const problem = hostConfigProblem(host);
  if (problem) throw new UnsafeHostConfigError(`${host.name ?? 'This host'}: ${problem}`);
  return host.libvirtUri as LibvirtUri;
}

/**
 * At every entry that would contact the host: null when its settings are
 * safe; else marks it `unsafe_config` (with the reason) and returns the reason.
 */
export async function unsafeConfigRefusal(
  host: HostConfig & { id: string; status: string; statusReason?: string | null },
): Promise<string | null> {
  const problem = hostConfigProblem(host);
  if (!problem) return null;
  if (host.status !== UNSAFE_CONFIG || host.statusReason !== problem) {
    await getDb().host.updateMany({ where: { id: host.id }, data: { status: UNSAFE_CONFIG, statusReason: problem } });
  }
  return problem;
}

/**
 * The start-up check: marks every host whose stored settings are refused
 * `unsafe_config`, and returns a host whose settings are fine again (fixed
 * in the database) to `new`. Returns the names of the hosts marked.
 */
export async function markUnsafeHostConfigs(log?: (message: string) => void): Promise<string[]> {
  const db = getDb();
  const hosts = await db.host.findMany({
    select: { id: true, name: true, libvirtUri: true, spec: true, status: true, statusReason: true },
  });
  const marked: string[] = [];
  for (const host of hosts) {
    const problem = hostConfigProblem(host);
    if (problem) {
      marked.push(host.name);
      if (host.status !== UNSAFE_CONFIG || host.statusReason !== problem)
        await db.host.update({ where: { id: host.id }, data: { status: UNSAFE_CONFIG, statusReason: problem } });
    } else if (host.status === UNSAFE_CONFIG) {
      await db.host.updateMany({ where: { id: host.id, status: UNSAFE_CONFIG }, data: { status: 'new', statusReason: null } });
    }
  }
  if (marked.length > 0)
    log?.(`not contacting ${marked.length} host(s) with refused settings (status unsafe_config): ${marked.join(', ')}`);
  return marked;
}

// ---- paths on the host ----------------------------------------------------------

/**
 * A shell function for fixed scripts (lib/hosts/scripts/inside-pool.sh):
 * `inside_pool ROOT PATH` prints `ok`,
 * `outside`, `forbidden` or `no-pool`. It resolves both with realpath (the
 * root must exist; the path may not exist yet, its existing part is resolved),
 * and says `ok` only when the resolved path lies strictly below the resolved
 * root and neither is in a system folder. ROOT and PATH are positional
 * arguments: the script text never holds a path.
 */
export const PATH_CHECK_FUNCTION = insidePoolFunction();

/** lib/hosts/scripts/path-check.sh — arguments: ROOT PATH, repeated; prints one verdict per pair (see PATH_CHECK_FUNCTION). */
export const PATH_CHECK_SCRIPT = PATH_CHECK_FUNCTION + hostScript('path-check.sh');

export type PathVerdict = 'ok' | 'outside' | 'forbidden' | 'no-pool';

export function parsePathVerdict(line: string | undefined): PathVerdict {
  const word = (line ?? '').trim();
  return word === 'ok' || word === 'forbidden' || word === 'no-pool' ? word : 'outside';
}

/** Words for the operator about a verdict other than ok. */
export function pathVerdictReason(verdict: Exclude<PathVerdict, 'ok'>, path: string, root: string): string {
  switch (verdict) {
    case 'outside':
      return `${path} resolves (through a symlink or "..") to a place outside its pool folder ${root}`;
    case 'forbidden':
      return `${path} or its pool folder ${root} resolves into a system folder (${FORBIDDEN_FOLDERS.join(', ')})`;
    case 'no-pool':
      return `the pool folder ${root} of ${path} does not exist`;
  }
}

/**
 * Resolves each path on the host (one SSH round trip) and says whether it is
 * still inside its pool folder. For the deploy code: call it right before a
 * disk is created, copied from a base image or deleted, and use the path only
 * when its verdict is `ok`.
 */
export async function checkHostPaths(target: SshTarget, items: readonly { root: string; path: string }[]): Promise<PathVerdict[]> {
  if (items.length === 0) return [];
  const result = await exec(target, ['sh', '-c', PATH_CHECK_SCRIPT, 'hostdeck-paths', ...items.flatMap((item) => [item.root, item.path])], {
    timeoutMs: 30_000,
  });
  const lines = result.stdout.split('\n');
  return items.map((_, i) => (result.code === 0 ? parsePathVerdict(lines[i]) : 'outside'));
}
