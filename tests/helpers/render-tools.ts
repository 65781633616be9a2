// tests/helpers/render-tools — the outside checkers of rendered files, run in
// batches so thousands of files stay fast:
// - libvirt's RELAX NG schema through xmllint (what virt-xml-validate runs);
// - `nix-instantiate --parse` on Nix modules;
// - evaluation of generated modules with a small stand-in for nixpkgs' lib
//   (the functions the module uses, same definitions) to read back the
//   service scripts, then `bash -n` on each.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const DOMAIN_RNG = '/usr/share/libvirt/schemas/domain.rng';

/** Run `fn` with an environment for nix-instantiate (its own state folder, removed afterwards). */
async function withNixEnv<T>(fn: (env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), 'hostdeck-nix-state-'));
  try {
    return await fn({ ...process.env, NIX_STATE_DIR: stateDir, NIX_CONFIG: 'build-users-group =' });
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export interface ToolFailure {
  file: string;
  output: string;
}

async function runTool(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { env, maxBuffer: 256 * 1024 * 1024 });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number | string };
    if (typeof e.code === 'string') throw error; // the tool itself is missing
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Validate domain XML files against libvirt's domain.rng; returns the files that fail, with xmllint's words. */
export async function validateDomainXmlFiles(files: readonly string[], parallel = 2): Promise<ToolFailure[]> {
  const failures: ToolFailure[] = [];
  const batches = chunks(files, 250);
  for (const group of chunks(batches, parallel)) {
    const results = await Promise.all(group.map((batch) => runTool('xmllint', ['--noout', '--relaxng', DOMAIN_RNG, ...batch])));
    results.forEach((result, index) => {
      const batch = group[index]!;
      const validated = new Set(
        result.stderr
          .split('\n')
          .filter((line) => line.endsWith(' validates'))
          .map((line) => line.slice(0, -' validates'.length)),
      );
      for (const file of batch) {
        if (!validated.has(file)) {
          const lines = result.stderr.split('\n').filter((line) => line.startsWith(file));
          failures.push({ file, output: lines.join('\n') || result.stderr.slice(0, 2000) });
        }
      }
    });
  }
  // Confirm each failure on its own (a crashed or killed batch must not count as invalid XML).
  const confirmed: ToolFailure[] = [];
  for (const failure of failures) {
    const single = await runTool('xmllint', ['--noout', '--relaxng', DOMAIN_RNG, failure.file]);
    if (!single.ok) confirmed.push({ file: failure.file, output: single.stderr.slice(0, 4000) });
  }
  return confirmed;
}

/** `nix-instantiate --parse` on each file (one call per batch; a failing batch is retried file by file to name the culprits). */
export async function parseNixFiles(files: readonly string[]): Promise<ToolFailure[]> {
  return withNixEnv(async (nixEnv) => {
    const failures: ToolFailure[] = [];
    for (const batch of chunks(files, 200)) {
      const result = await runTool('nix-instantiate', ['--parse', ...batch], nixEnv);
      if (result.ok) continue;
      for (const file of batch) {
        const single = await runTool('nix-instantiate', ['--parse', file], nixEnv);
        if (!single.ok) failures.push({ file, output: single.stderr });
      }
    }
    return failures;
  });
}

const HARNESS = `
{ modules }:
let
  # The functions of nixpkgs' lib that Hostdeck's module uses, with nixpkgs' definitions.
  lib = {
    escapeShellArg = arg: "'\${builtins.replaceStrings [ "'" ] [ "'\\\\''" ] (toString arg)}'";
    nameValuePair = name: value: { inherit name value; };
    mapAttrs' = f: set: builtins.listToAttrs (map (attr: f attr set.\${attr}) (builtins.attrNames set));
    concatMapStrings = f: list: builtins.concatStringsSep "" (map f list);
    optionalString = cond: string: if cond then string else "";
  };
  pkgs = {
    coreutils = "/pkgs/coreutils";
    gnugrep = "/pkgs/gnugrep";
    cdrkit = "/pkgs/cdrkit";
    runCommand = name: env: script: "/nix/store/00000000000000000000000000000000-\${name}";
  };
  config = { virtualisation.libvirtd = { package = "/pkgs/libvirt"; qemu.package = "/pkgs/qemu"; }; };
  evaluate = module:
    let m = import module { inherit config lib pkgs; };
    in {
      scripts = builtins.mapAttrs (name: service: service.script) m.systemd.services;
      kernelModules = m.boot.kernelModules;
      libvirtd = m.virtualisation.libvirtd;
      bonds = m.networking.bonds;
      bridges = m.networking.bridges;
      interfaces = m.networking.interfaces;
      sysctl = m.boot.kernel.sysctl;
    };
in
  map evaluate modules
`;

export interface EvaluatedModule {
  scripts: Record<string, string>;
  kernelModules: string[];
  libvirtd: Record<string, unknown>;
  bonds: Record<string, unknown>;
  bridges: Record<string, unknown>;
  interfaces: Record<string, unknown>;
  sysctl: Record<string, unknown>;
}

/**
 * Evaluate generated modules (paths to default.nix files in folders with
 * their vms/ and cloud-init/ files) without touching a Nix store.
 */
export async function evaluateNixModules(files: readonly string[]): Promise<EvaluatedModule[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-nix-harness-'));
  const harness = join(dir, 'harness.nix');
  writeFileSync(harness, HARNESS);
  const out: EvaluatedModule[] = [];
  try {
    for (const batch of chunks(files, 200)) {
      for (const file of batch) if (!/^\/[A-Za-z0-9._/-]+$/.test(file)) throw new Error(`unsafe path for a Nix path literal: ${file}`);
      const result = await withNixEnv((nixEnv) =>
        runTool(
          'nix-instantiate',
          ['--readonly-mode', '--eval', '--strict', '--json', harness, '--arg', 'modules', `[ ${batch.join(' ')} ]`],
          nixEnv,
        ),
      );
      if (!result.ok) throw new Error(`nix-instantiate --eval failed:\n${result.stderr}`);
      out.push(...(JSON.parse(result.stdout) as EvaluatedModule[]));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `bash -n` on each script; returns the ones with syntax errors. */
export async function bashSyntaxCheck(scripts: readonly { name: string; script: string }[]): Promise<ToolFailure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'hostdeck-bash-'));
  const files = scripts.map((entry, index) => {
    const file = join(dir, `${index}.sh`);
    writeFileSync(file, entry.script);
    return { file, name: entry.name };
  });
  const failures: ToolFailure[] = [];
  try {
    for (const batch of chunks(files, 500)) {
      const loop = 'for f in "$@"; do bash -n "$f" 2>/dev/null || echo "$f"; done';
      const result = await runTool('bash', ['-c', loop, 'bash', ...batch.map((entry) => entry.file)]);
      const failed = new Set(result.stdout.split('\n').filter(Boolean));
      for (const entry of batch) {
        if (failed.has(entry.file)) {
          // Confirm on its own, so a busy machine (a failed fork) is not mistaken for a syntax error.
          const single = await runTool('bash', ['-n', entry.file]);
          if (!single.ok) failures.push({ file: entry.name, output: single.stderr });
        }
      }
    }
    return failures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
