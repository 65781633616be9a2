// tests/helpers/lab.ts — real lab hosts (scripts/lab.sh) for integration tests and benchmarks.
//
// ensureLab(n) brings up lab1..labN (idempotent, fast when they already run)
// and returns how to reach them. Each host is a network namespace on this
// machine with its own libvirtd and OpenSSH sshd; see scripts/lab.sh.
// Needs root. The hosts keep running after the tests (`scripts/lab.sh down` stops them).

import { execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
export const LAB_SCRIPT = `${REPO_ROOT}/scripts/lab.sh`;
export const LAB_HOSTS_JSON = `${REPO_ROOT}/.data/lab/hosts.json`;

export type LabHost = {
  /** lab1, lab2, ... */
  name: string;
  /** 10.200.N.2 */
  address: string;
  port: number;
  /** the lab login user (non-root, in group libvirt; LIBVIRT_DEFAULT_URI=qemu:///system) */
  user: string;
  /** absolute path of the client private key (OpenSSH format) */
  keyFile: string;
  /** absolute path of a known_hosts file holding this host's key */
  knownHostsFile: string;
  /** SHA256:... of the host key */
  hostKeyFingerprint: string;
};

/** Bring up (at least) lab1..labN and return those N hosts. */
export async function ensureLab(n = 2): Promise<LabHost[]> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ensureLab: n must be a positive integer, got ${n}`);
  if (process.getuid?.() !== 0)
    throw new Error('the lab needs root (network namespaces, libvirtd, sshd): run the integration tests as root');
  try {
    await execFileP('bash', [LAB_SCRIPT, 'up', String(n)], { timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`scripts/lab.sh up ${n} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
  const hosts = await readLabHosts();
  const wanted = Array.from({ length: n }, (_, i) => `lab${i + 1}`);
  const result = wanted.map((name) => hosts.find((h) => h.name === name));
  const missing = wanted.filter((_, i) => !result[i]);
  if (missing.length) throw new Error(`lab hosts missing from ${LAB_HOSTS_JSON}: ${missing.join(', ')}`);
  return result as LabHost[];
}

/** The hosts listed in .data/lab/hosts.json (those up when lab.sh last ran). */
export async function readLabHosts(): Promise<LabHost[]> {
  return JSON.parse(await readFile(LAB_HOSTS_JSON, 'utf8')) as LabHost[];
}

/** Run `scripts/lab.sh <args>` (e.g. ['sshd-stop', '1']). */
export async function labCtl(args: string[]): Promise<string> {
  const { stdout } = await execFileP('bash', [LAB_SCRIPT, ...args], { timeout: 5 * 60_000 });
  return stdout;
}

/** Host number N of a lab host (lab3 → 3). */
export function labIndex(host: LabHost): number {
  return Number(host.name.replace(/^lab/, ''));
}

/** OpenSSH client arguments to reach `host` (put the remote command after them): `ssh ...sshArgs(h) virsh list`. */
export function sshArgs(host: LabHost): string[] {
  return [
    '-i',
    host.keyFile,
    '-o',
    `UserKnownHostsFile=${host.knownHostsFile}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(host.port),
    `${host.user}@${host.address}`,
  ];
}

/** An lib/ssh target for `host` (private key read from keyFile, host key pinned). */
export async function labTarget(
  host: LabHost,
  id: string = host.name,
): Promise<{
  id: string;
  address: string;
  port: number;
  user: string;
  privateKey: string;
  pinnedFingerprint: string;
}> {
  return {
    id,
    address: host.address,
    port: host.port,
    user: host.user,
    privateKey: await readFile(host.keyFile, 'utf8'),
    pinnedFingerprint: host.hostKeyFingerprint,
  };
}

export type LabCommandResult = { code: number; stdout: string; stderr: string };

/** Runs a command on the lab host over OpenSSH (arguments must be safe words), optionally feeding stdin. */
export function labSsh(host: LabHost, command: string[], input?: string): Promise<LabCommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(host), ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** `virsh ARGS` on the lab host; throws with virsh's message when it fails. */
export async function labVirsh(host: LabHost, args: string[], input?: string): Promise<string> {
  const result = await labSsh(host, ['virsh', ...args], input);
  if (result.code !== 0) throw new Error(`virsh ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}
