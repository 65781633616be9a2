// lib/deploy/strategies/libvirt-actions — the pure half of the libvirt
// deployment strategy (./libvirt): no I/O, unit-tested on its own.
//
// Owns:
// - which of a revision's files go to the host (vms/*.xml, cloud-init/*) and
//   which of them must be uploaded: those whose content differs from the
//   record of what the host already has (files.json, written last in the same
//   SFTP session and removed first when anything changes, so an interrupted
//   upload never leaves a record that lies);
// - the action file the fixed script (lib/hosts/scripts/deploy-libvirt.sh)
//   reads as data: one action per line, tab-separated, "-" for an empty
//   field, every field checked here against the spec's patterns (a manifest
//   read back from the database is not trusted blindly);
// - reading the script's output (lines "@@MARK KIND NAME TEXT", MARK a random
//   word per run, so no domain's XML can forge one) into log lines, the VMs it
//   defined, a failure, and each domain's state, autostart and inactive XML;
// - the verification: each deployed domain, normalised (lib/libvirt), equals
//   the deployed XML normalised, its power state and autostart are as wanted,
//   and removed VMs are gone.
import { domainDifferences, normalizeDomainTree, parseXml } from '@/lib/libvirt';
import { cloudInitFile, HOST_STATE_DIR, sha256Hex, vmXmlFile, type ManifestVm, type RenderedFile, type RenderManifest } from '@/lib/render';
import {
  forbiddenFolderProblem,
  isCanonicalAbsolutePath,
  objectName,
  seedIsoPath,
  uuid as uuidSchema,
  VM_NAME_PATTERN,
  volumeName,
} from '@/lib/spec';

/** Where a libvirt deployment keeps its files on the host. */
export const DEPLOY_DIR = `${HOST_STATE_DIR}/deploy`;
/** The action file inside DEPLOY_DIR. */
export const ACTIONS_FILE = 'actions.tsv';
/** The record of the files on the host (path → sha256) inside DEPLOY_DIR. */
export const UPLOADED_RECORD_FILE = 'files.json';
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 60;
export const SHUTDOWN_TIMEOUT_ENV = 'HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S';

/** A revision that cannot be turned into actions (a field the script would refuse). */
export class DeployActionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployActionError';
  }
}

/** Seconds an ACPI shutdown may take before the domain is forced off: HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S, default 60. */
export function shutdownTimeoutSeconds(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[SHUTDOWN_TIMEOUT_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_SHUTDOWN_TIMEOUT_S;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value > 3600)
    throw new DeployActionError(`${SHUTDOWN_TIMEOUT_ENV} must be a whole number of seconds from 0 to 3600, got ${JSON.stringify(raw)}`);
  return value;
}

// ------------------------------------------------------------------ files --

/** The files a libvirt host gets: domain XML and cloud-init sources (not the NixOS module). */
export function deployFiles(files: readonly RenderedFile[]): RenderedFile[] {
  return files.filter((file) => file.path.startsWith('vms/') || file.path.startsWith('cloud-init/'));
}

/** user-data may hold secrets: only the login reads it. */
export function fileMode(path: string): number {
  return path.endsWith('/user-data') ? 0o600 : 0o644;
}

type UploadedRecord = { format: 'hostdeck.deploy-files/v1'; revision: string; files: Record<string, string> };

/** The record written after an upload: what the deploy folder now holds. */
export function uploadedRecord(revisionId: string, files: readonly RenderedFile[]): string {
  const record: UploadedRecord = {
    format: 'hostdeck.deploy-files/v1',
    revision: revisionId,
    files: Object.fromEntries(files.map((file) => [file.path, sha256Hex(file.content)])),
  };
  return `${JSON.stringify(record, null, 1)}\n`;
}

/** The files to upload: all, unless the host's record says it has the same content already. */
export function filesToUpload(files: readonly RenderedFile[], recordText: string | null): RenderedFile[] {
  let onHost: Record<string, unknown> = {};
  if (recordText !== null) {
    try {
      const parsed = JSON.parse(recordText) as Partial<UploadedRecord>;
      if (parsed && parsed.format === 'hostdeck.deploy-files/v1' && parsed.files && typeof parsed.files === 'object') onHost = parsed.files;
    } catch {
      onHost = {};
    }
  }
  return files.filter((file) => onHost[file.path] !== sha256Hex(file.content));
}

// ---------------------------------------------------------------- actions --

function fail(vm: string, message: string): never {
  throw new DeployActionError(`${vm}: ${message}`);
}

/** A field of an action line: never empty, never a tab or line break ("-" stands for none). */
function field(vm: string, what: string, value: string | null): string {
  if (value === null) return '-';
  if (value === '' || value === '-' || /[\t\n\r\0]/.test(value)) fail(vm, `${what} ${JSON.stringify(value)} cannot be passed to the host`);
  return value;
}

function checkPath(vm: string, what: string, path: string): string {
  if (!isCanonicalAbsolutePath(path)) fail(vm, `${what} ${JSON.stringify(path)} is not an absolute, canonical path`);
  const forbidden = forbiddenFolderProblem(path);
  if (forbidden) fail(vm, `${what} ${path} is refused: ${forbidden}`);
  return path;
}

function sha256Of(vm: string, manifest: RenderManifest, path: string): string {
  const entry = manifest.files.find((file) => file.path === path);
  if (!entry || !/^[0-9a-f]{64}$/.test(entry.sha256)) fail(vm, `the revision has no file ${path}`);
  return entry.sha256;
}

/** What identifies a seed's content: its ISO path and the hashes of its two files. */
export function seedHash(isoPath: string, userDataSha: string, metaDataSha: string): string {
  return sha256Hex(`${isoPath}\n${userDataSha}\n${metaDataSha}\n`);
}

function vmLines(manifest: RenderManifest, vm: ManifestVm): string[] {
  const name = vm.name;
  if (!VM_NAME_PATTERN.test(name)) fail(JSON.stringify(name), 'refused VM name');
  if (!uuidSchema.safeParse(vm.uuid).success) fail(name, `refused UUID ${JSON.stringify(vm.uuid)}`);
  if (vm.firmware !== 'bios' && vm.firmware !== 'uefi') fail(name, `unknown firmware ${JSON.stringify(vm.firmware)}`);
  const lines: string[] = [];
  const disk = (kind: string, d: ManifestVm['disks'][number]): string[] => {
    if (d.pool !== null && d.volume !== null && d.path === null) {
      if (!objectName.safeParse(d.pool).success) fail(name, `refused storage pool name ${JSON.stringify(d.pool)}`);
      if (!volumeName.safeParse(d.volume).success) fail(name, `refused volume name ${JSON.stringify(d.volume)}`);
      return [kind, name, 'volume', d.pool, d.volume, '-'];
    }
    if (d.path !== null && d.pool === null && d.volume === null)
      return [kind, name, 'file', '-', '-', checkPath(name, 'disk path', d.path)];
    return fail(name, 'a disk is neither a pool volume nor a file');
  };

  if (vm.remove) {
    lines.push(['remove', name, vm.uuid, vm.firmware, vm.deleteDisks ? '1' : '0'].join('\t'));
    if (vm.deleteDisks) for (const d of vm.disks) lines.push(disk('rmdisk', d).join('\t'));
    return lines;
  }

  if (vm.xmlFile !== vmXmlFile(name)) fail(name, `unexpected domain XML file ${JSON.stringify(vm.xmlFile)}`);
  if (vm.powerState !== 'running' && vm.powerState !== 'stopped') fail(name, `unknown power state ${JSON.stringify(vm.powerState)}`);
  for (const d of vm.disks) {
    if (!Number.isInteger(d.capacityGiB) || d.capacityGiB < 1 || d.capacityGiB > 65_536)
      fail(name, `refused disk size ${d.capacityGiB} GiB`);
    if (d.format !== 'qcow2' && d.format !== 'raw') fail(name, `refused disk format ${JSON.stringify(d.format)}`);
    const base = d.baseImage;
    if (base) {
      if (!objectName.safeParse(base.name).success) fail(name, `refused base image name ${JSON.stringify(base.name)}`);
      if (base.format !== 'qcow2' && base.format !== 'raw') fail(name, `refused base image format ${JSON.stringify(base.format)}`);
      checkPath(name, 'base image path', base.path);
    }
    lines.push(
      [
        ...disk('disk', d),
        String(d.capacityGiB),
        d.format,
        field(name, 'base image name', base?.name ?? null),
        field(name, 'base image path', base?.path ?? null),
        field(name, 'base image format', base?.format ?? null),
      ].join('\t'),
    );
  }
  if (vm.seed) {
    if (
      vm.seed.isoPath !== seedIsoPath(name) ||
      vm.seed.userDataFile !== cloudInitFile(name, 'user-data') ||
      vm.seed.metaDataFile !== cloudInitFile(name, 'meta-data')
    )
      fail(name, 'unexpected cloud-init seed paths');
    const hash = seedHash(vm.seed.isoPath, sha256Of(name, manifest, vm.seed.userDataFile), sha256Of(name, manifest, vm.seed.metaDataFile));
    lines.push(['seed', name, vm.seed.isoPath, hash].join('\t'));
  }
  const xmlSha = sha256Of(name, manifest, vmXmlFile(name));
  lines.push(['vm', name, vm.uuid, xmlSha, vm.autostart ? '1' : '0', vm.powerState, vm.firmware].join('\t'));
  return lines;
}

/** The action lines of a revision (checked; throws DeployActionError for anything the script must not get). */
export function actionLines(manifest: RenderManifest): string[] {
  const names = new Set<string>();
  const lines: string[] = [];
  for (const vm of manifest.vms) {
    if (names.has(vm.name)) fail(vm.name, 'listed twice in the manifest');
    names.add(vm.name);
    lines.push(...vmLines(manifest, vm));
  }
  return lines;
}

export function actionFileText(lines: readonly string[]): string {
  return `# hostdeck libvirt deployment actions (lib/hosts/scripts/deploy-libvirt.sh)\n${lines.map((line) => `${line}\n`).join('')}`;
}

// ----------------------------------------------------------------- output --

/** One domain as the script reported it after the actions (dominfo + dumpxml --inactive). */
export type LiveDomain = {
  name: string;
  uuid: string | null;
  /** libvirt's domain id while it runs (changes when it restarts); null when shut off. */
  id: number | null;
  /** dominfo's State: running, paused, shut off, … */
  state: string | null;
  autostart: boolean | null;
  /** The persistent definition (`virsh dumpxml --inactive`), null when the domain is missing. */
  xml: string | null;
};

export type ApplyReport = {
  /** What was done, in order; vm null for the host. */
  logs: { vm: string | null; text: string }[];
  /** VMs defined by this run. */
  defined: Set<string>;
  /** What failed (the script stopped there). */
  failure: { vm: string | null; text: string } | null;
  /** Every action ran. */
  applied: boolean;
  /** The report was complete (its end marker seen). */
  complete: boolean;
  domains: Map<string, LiveDomain>;
};

/** Read the script's output (see lib/hosts/scripts/deploy-libvirt.sh). */
export function parseApplyOutput(stdout: string, mark: string): ApplyReport {
  const report: ApplyReport = { logs: [], defined: new Set(), failure: null, applied: false, complete: false, domains: new Map() };
  const marker = new RegExp(`^@@${mark} (\\S+) (\\S+)(?: (.*))?$`);
  let section: { kind: 'info' | 'xml'; name: string; lines: string[] } | null = null;
  const domain = (name: string): LiveDomain => {
    let found = report.domains.get(name);
    if (!found) {
      found = { name, uuid: null, id: null, state: null, autostart: null, xml: null };
      report.domains.set(name, found);
    }
    return found;
  };
  const flush = () => {
    if (!section) return;
    const entry = domain(section.name);
    const text = section.lines.join('\n').trim();
    if (section.kind === 'xml') {
      entry.xml = text === '' ? null : text;
    } else {
      for (const line of section.lines) {
        const match = /^(Id|UUID|State|Autostart):\s+(.*?)\s*$/.exec(line);
        if (!match) continue;
        const value = match[2]!;
        if (match[1] === 'Id') entry.id = /^\d+$/.test(value) ? Number(value) : null;
        else if (match[1] === 'UUID') entry.uuid = value.toLowerCase();
        else if (match[1] === 'State') entry.state = value;
        else entry.autostart = value === 'enable';
      }
    }
    section = null;
  };
  for (const line of stdout.split('\n')) {
    const match = marker.exec(line);
    if (!match) {
      section?.lines.push(line);
      continue;
    }
    flush();
    const [, kind, who, text = ''] = match;
    const vm = who === '-' ? null : who!;
    switch (kind) {
      case 'log':
        report.logs.push({ vm, text: text.trim() });
        break;
      case 'defined':
        if (vm) report.defined.add(vm);
        break;
      case 'fail':
        report.failure = { vm, text: text.trim() };
        break;
      case 'applied':
        report.applied = true;
        break;
      case 'end':
        report.complete = true;
        break;
      case 'info':
      case 'xml':
        if (vm) section = { kind, name: vm, lines: [] };
        break;
    }
  }
  flush();
  return report;
}

/** The log lines of a run, one per action: `web1: defined (new)`. */
export function logLines(report: Pick<ApplyReport, 'logs'>): string[] {
  return report.logs.map((entry) => (entry.vm ? `${entry.vm}: ${entry.text}` : entry.text));
}

// ----------------------------------------------------------------- verify --

export type VerifyProblem = {
  vm: string;
  problem: string;
  /** Categories in which the definition on the host differs from the deployed XML (empty: it does not). */
  definition: string[];
};

/** States of a domain that count as "running" (the guest exists; suspended by an operator is still running). */
const RUNNING_STATES = new Set(['running', 'idle', 'blocked', 'paused', 'pmsuspended']);

function differencesOf(desired: string, live: string): string[] {
  return domainDifferences(normalizeDomainTree(parseXml(desired)), normalizeDomainTree(parseXml(live)));
}

/** Check each VM of the manifest against what the host reported; empty when all is as deployed. */
export function verifyDeployment(
  manifest: RenderManifest,
  files: readonly RenderedFile[],
  report: Pick<ApplyReport, 'domains'>,
): VerifyProblem[] {
  const xmlByPath = new Map(files.map((file) => [file.path, file.content]));
  const problems: VerifyProblem[] = [];
  const add = (vm: string, problem: string, definition: string[] = []) => problems.push({ vm, problem, definition });
  for (const vm of manifest.vms) {
    const live = report.domains.get(vm.name);
    const present = live !== undefined && live.xml !== null;
    if (vm.remove) {
      if (present && (live.uuid === null || live.uuid === vm.uuid)) add(vm.name, 'is still defined on the host');
      continue;
    }
    if (!present) {
      add(vm.name, 'is not defined on the host');
      continue;
    }
    if (live.uuid !== null && live.uuid !== vm.uuid) add(vm.name, `has UUID ${live.uuid} on the host, not ${vm.uuid}`);
    const desired = vm.xmlFile ? xmlByPath.get(vm.xmlFile) : undefined;
    if (desired === undefined) {
      add(vm.name, `the revision has no ${vm.xmlFile ?? 'domain XML'}`);
    } else {
      let differences: string[];
      try {
        differences = differencesOf(desired, live.xml!);
      } catch (error) {
        differences = [];
        add(vm.name, `its definition on the host cannot be read: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (differences.length > 0)
        add(vm.name, `its definition on the host differs from the deployed XML (${differences.join(', ')})`, differences);
    }
    const state = live.state ?? 'unknown';
    if (vm.powerState === 'running' && !RUNNING_STATES.has(state)) add(vm.name, `is ${state}, but should run`);
    if (vm.powerState === 'stopped' && state !== 'shut off') add(vm.name, `is ${state}, but should be shut off`);
    if (live.autostart !== vm.autostart)
      add(
        vm.name,
        `autostart is ${live.autostart === null ? 'unknown' : live.autostart ? 'on' : 'off'}, but should be ${vm.autostart ? 'on' : 'off'}`,
      );
  }
  return problems;
}
