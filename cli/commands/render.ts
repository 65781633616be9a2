// cli/commands/render — the spec commands of the hostdeck CLI: `schema`,
// `render` and `plan`. Thin: read files, call lib/spec and lib/render, print.
//
// The spec file is one JSON object `{ "host": HostSpec, "vms": VmSpec[] }`
// (see `hostdeck schema` for its JSON Schema), e.g.
//   { "host": { "name": "kvm1", "address": "10.0.0.5", "flavour": "libvirt",
//               "cpuVendor": "intel", "network": { "bridges": [{ "name": "br0" }] } },
//     "vms": [ { "name": "web1", "uuid": "…", "vcpus": 2, "memoryMiB": 2048,
//                "interfaces": [{ "type": "bridge", "bridge": "br0", "mac": "52:54:00:…" }] } ] }
//
//   hostdeck schema
//   hostdeck render --spec host.json --out DIR [--domain-type kvm|qemu]
//       writes the rendered files and DIR/manifest.json; on invalid input
//       writes nothing, prints every invalid field path with its message and
//       exits with status 2.
//   hostdeck plan --spec host.json [--deployed DIR] [--live DIR] [--json]
//       DIR of --deployed is the output of an earlier `render` (the deployed
//       revision); DIR of --live holds `virsh dumpxml` output as <vm>.xml.
//       Prints a table, or the plan as JSON.
// Exit status: 0 done, 2 invalid input (spec or files), 1 unexpected error.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { oneLineMessage } from '@/cli/io';
import { hostSpecJsonSchema, parseHostWithVms, type FieldIssue } from '@/lib/spec';
import {
  manifestJson,
  MANIFEST_FILE,
  plan,
  renderHost,
  type HostPlan,
  type RenderedFile,
  type RenderedHost,
  type RenderManifest,
} from '@/lib/render';
import type { DomainType } from '@/lib/libvirt';

export interface CliOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleOutput: CliOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** An error whose message is for the operator; the command exits with `exitCode`. */
export class CliInputError extends Error {
  constructor(
    message: string,
    readonly issues: FieldIssue[] = [],
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliInputError';
  }
}

function parseDomainType(value: string | undefined): DomainType {
  if (value === undefined || value === 'kvm' || value === 'qemu') return value ?? 'kvm';
  throw new CliInputError(`--domain-type must be kvm or qemu, not ${JSON.stringify(value)}`);
}

/** Read, parse and validate a spec file; throws CliInputError listing every invalid field. */
export async function loadSpec(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliInputError(`cannot read the spec file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`the spec file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = parseHostWithVms(json);
  if (!parsed.ok) throw new CliInputError(`the spec file ${file} is not valid`, parsed.issues);
  return parsed.value;
}

function safeJoin(root: string, path: string): string {
  const full = resolve(root, path);
  if (full !== resolve(root) && !full.startsWith(resolve(root) + sep)) throw new Error(`refusing to write outside ${root}: ${path}`);
  return full;
}

/** `render`: validate, render and write files plus manifest.json into `out`. */
export async function runRender(
  options: { spec: string; out: string; domainType?: string },
  io: CliOutput = consoleOutput,
): Promise<RenderedHost> {
  const domainType = parseDomainType(options.domainType);
  const spec = await loadSpec(options.spec);
  const rendered = renderHost(spec, { domainType });

  // Files a previous render wrote here and this one no longer has (e.g. a removed VM's XML).
  const previous = await readManifest(options.out);
  const stale = (previous?.files ?? []).map((file) => file.path).filter((path) => !rendered.files.some((file) => file.path === path));

  // A host without VMs and without a NixOS module renders no file but the manifest.
  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    throw new CliInputError(`cannot create the folder ${options.out}: ${(error as Error).message}`);
  }
  for (const file of rendered.files) {
    const target = safeJoin(options.out, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, 'utf8');
  }
  for (const path of stale) await rm(safeJoin(options.out, path), { force: true });
  await writeFile(safeJoin(options.out, MANIFEST_FILE), manifestJson(rendered.manifest), 'utf8');
  io.out(`rendered host ${spec.host.name}: ${rendered.files.length} files in ${options.out} (hash ${rendered.hash})\n`);
  return rendered;
}

async function readManifest(dir: string): Promise<RenderManifest | null> {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(await readFile(path, 'utf8')) as RenderManifest;
  } catch (error) {
    throw new CliInputError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** Read a render output folder (an earlier `render --out`) as a deployed revision. */
export async function readRenderedDir(dir: string): Promise<{ files: RenderedFile[]; manifest: RenderManifest | null }> {
  if (!existsSync(dir)) throw new CliInputError(`the folder ${dir} does not exist`);
  const manifest = await readManifest(dir);
  const paths = manifest ? manifest.files.map((file) => file.path) : (await listFiles(dir)).filter((path) => path !== MANIFEST_FILE);
  const files: RenderedFile[] = [];
  for (const path of paths) {
    try {
      files.push({ path, content: await readFile(safeJoin(dir, path), 'utf8') });
    } catch (error) {
      throw new CliInputError(`cannot read ${join(dir, path)}: ${(error as Error).message}`);
    }
  }
  return { files, manifest };
}

/** Read `virsh dumpxml` outputs: DIR/<vm>.xml (or DIR/vms/<vm>.xml). */
export async function readLiveDir(dir: string): Promise<Record<string, string>> {
  if (!existsSync(dir)) throw new CliInputError(`the folder ${dir} does not exist`);
  const live: Record<string, string> = {};
  for (const path of await listFiles(dir)) {
    const match = /^(?:vms\/)?([a-z][a-z0-9-]*)\.xml$/.exec(path);
    if (match) live[match[1]!] = await readFile(join(dir, path), 'utf8');
  }
  return live;
}

function short(hash: string | null): string {
  return hash === null ? 'none' : hash.slice(0, 12);
}

/** The plan as a table for a terminal. */
export function formatPlanTable(result: HostPlan): string {
  const lines: string[] = [];
  lines.push(`host ${result.host}: desired ${short(result.desiredHash)}, deployed ${short(result.deployedHash)}`);
  if (result.hostModule !== 'none') lines.push(`NixOS module: ${result.hostModule}`);
  const rows = result.vms.map((vm) => [
    vm.name,
    vm.action,
    vm.restartNeeded ? 'yes' : '-',
    vm.drifted ? vm.drift.join(', ') : '-',
    vm.action === 'removed' && vm.removal
      ? vm.removal.deleteDisks
        ? `delete disks: ${vm.removal.disks.join(', ')}`
        : `keep disks: ${vm.removal.disks.join(', ')}`
      : vm.action === 'unmanaged'
        ? 'no longer in the spec; left on the host'
        : vm.changes.join(', ') || '-',
  ]);
  const header = ['VM', 'ACTION', 'RESTART', 'DRIFT', 'CHANGES'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  if (rows.length > 0) {
    lines.push(format(header));
    for (const row of rows) lines.push(format(row));
  } else lines.push('no VMs');
  const s = result.summary;
  lines.push(
    `${s.added} added, ${s.changed} changed (${s.restartNeeded} need a restart), ${s.removed} removed, ${s.unchanged} unchanged, ${s.unmanaged} unmanaged; ${s.drifted} drifted`,
  );
  lines.push(result.changed ? 'there are changes to deploy' : 'nothing to deploy');
  return `${lines.join('\n')}\n`;
}

/** `plan`: render the spec and compare it with a deployed revision and the live domains. */
export async function runPlan(
  options: { spec: string; deployed?: string; live?: string; json?: boolean; domainType?: string },
  io: CliOutput = consoleOutput,
): Promise<HostPlan> {
  const domainType = parseDomainType(options.domainType);
  const spec = await loadSpec(options.spec);
  const desired = renderHost(spec, { domainType });
  const deployed = options.deployed ? await readRenderedDir(options.deployed) : null;
  const live = options.live ? await readLiveDir(options.live) : null;
  const result = plan({ desired, deployed, live });
  io.out(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatPlanTable(result));
  return result;
}

/**
 * Print an error for the operator (one line, never a stack trace; for an
 * invalid spec one more line per invalid field) and set the exit status.
 */
export function reportCliError(error: unknown, io: CliOutput = consoleOutput): void {
  if (error instanceof CliInputError) {
    io.err(`error: ${error.message}\n`);
    for (const issue of error.issues) io.err(`  ${issue.path || '(document)'}: ${issue.message}\n`);
    process.exitCode = error.exitCode;
    return;
  }
  io.err(`error: ${oneLineMessage(error)}\n`);
  process.exitCode = 1;
}

async function guarded(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    reportCliError(error);
  }
}

/** Add `schema`, `render` and `plan` to the hostdeck CLI. */
export function registerSpecCommands(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of a host spec with its VMs ({ host, vms })')
    .action(() => {
      process.stdout.write(`${JSON.stringify(hostSpecJsonSchema(), null, 2)}\n`);
    });

  program
    .command('render')
    .description('render a host spec into domain XML files (and the NixOS module) plus manifest.json')
    .requiredOption('--spec <file>', 'host spec JSON: { "host": {...}, "vms": [...] }')
    .requiredOption('--out <dir>', 'folder to write the files into')
    .option('--domain-type <type>', 'libvirt domain type: kvm, or qemu on hosts without /dev/kvm', 'kvm')
    .action((options: { spec: string; out: string; domainType?: string }) => guarded(() => runRender(options)));

  program
    .command('plan')
    .description('compare a host spec with a deployed render and live domain XML')
    .requiredOption('--spec <file>', 'host spec JSON: { "host": {...}, "vms": [...] }')
    .option('--deployed <dir>', 'output folder of the render that is deployed now')
    .option('--live <dir>', 'folder of `virsh dumpxml` outputs named <vm>.xml')
    .option('--json', 'print the plan as JSON')
    .option('--domain-type <type>', 'libvirt domain type: kvm, or qemu on hosts without /dev/kvm', 'kvm')
    .action((options: { spec: string; deployed?: string; live?: string; json?: boolean; domainType?: string }) =>
      guarded(() => runPlan(options)),
    );
}
