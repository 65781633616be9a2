// bench/deploy.ts — deploying VM definitions to a libvirt host (lab3), and
// the pure work before a deploy.
//
// 1. 50 new, small, diskless, stopped VMs deployed with the libvirt strategy
//    (lib/deploy/strategies/libvirt: one SFTP session + one script run, then
//    the verification), from a cold SSH pool (connect included). Baseline in
//    the same run, same XML: what a shell script does — one
//    `ssh -i key -o UserKnownHostsFile=… hdlab@lab3 virsh define /dev/stdin <
//    vm.xml` per VM, one after the other (50 OpenSSH processes). Figures: wall
//    time and SSH round trips (exec calls + SFTP sessions; the baseline's: one
//    per ssh process). Median of HOSTDECK_BENCH_DEPLOY_RUNS runs (default 3),
//    ours and the baseline alternating; every domain is undefined between runs
//    (ours by a removal deployment, the baseline's by one virsh; not timed).
// 2. Pure: render + plan + the approver's diff of the changed file
//    (lib/render renderHost + plan, lib/libvirt diffText on both sides) for a
//    host with 1,000 VMs of which one changed, against the same for an empty
//    host.
// ratio = ours / baseline (below 1: ours is faster / needs fewer).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { benchSpec } from '@/bench/render';
import { median, result, type BenchResult } from '@/bench/types';
import { createLibvirtStrategy } from '@/lib/deploy/strategies/libvirt';
import { diffText } from '@/lib/libvirt';
import { plan, renderHost, type RenderedHost } from '@/lib/render';
import { newUuid, parseHostWithVms, type HostWithVmsInput } from '@/lib/spec';
import { SshPool } from '@/lib/ssh';
import { revisionOf, testDeployContext } from '@/tests/helpers/deploy-context';
import { ensureLab, labSsh, labTarget, REPO_ROOT, sshArgs, type LabHost } from '@/tests/helpers/lab';

const VMS = 50;

function smallVms(prefix: string, remove = false): HostWithVmsInput {
  return {
    host: { name: 'lab3', address: '10.200.3.2', sshUser: 'hdlab', flavour: 'libvirt', cpuVendor: 'intel' },
    vms: Array.from({ length: VMS }, (_, i) => ({
      name: `${prefix}-${i}`,
      uuid: newUuid(),
      vcpus: 1,
      memoryMiB: 64,
      powerState: 'stopped',
      autostart: false,
      rng: false,
      guestAgent: false,
      remove,
    })),
  } as HostWithVmsInput;
}

function rendered(input: HostWithVmsInput, domainType: 'kvm' | 'qemu'): RenderedHost {
  const parsed = parseHostWithVms(input);
  if (!parsed.ok) throw new Error(`bench spec invalid: ${JSON.stringify(parsed.issues.slice(0, 3))}`);
  return renderHost(parsed.value, { domainType });
}

function sshDefine(host: LabHost, xml: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...sshArgs(host), 'virsh', 'define', '/dev/stdin'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ssh virsh define failed (${code}): ${stderr}`))));
    child.stdin.end(xml);
  });
}

async function undefineAll(host: LabHost, prefix: string): Promise<void> {
  const names = (await labSsh(host, ['virsh', 'list', '--all', '--name'])).stdout
    .split('\n')
    .map((name) => name.trim())
    .filter((name) => name.startsWith(`${prefix}-`));
  if (names.length === 0) return;
  // one virsh for all (the names are our own: letters, digits and hyphens); quoted for the remote shell
  const result = await labSsh(host, ['virsh', `'${names.map((name) => `undefine ${name}`).join('; ')}'`]);
  if (result.code !== 0) throw new Error(`cleanup failed: ${result.stderr}`);
}

async function countDomains(host: LabHost, prefix: string): Promise<number> {
  return (await labSsh(host, ['virsh', 'list', '--all', '--name'])).stdout
    .split('\n')
    .filter((name) => name.trim().startsWith(`${prefix}-`)).length;
}

async function deployFigures(): Promise<BenchResult[]> {
  const lab = (await ensureLab(3))[2]!;
  const target = await labTarget(lab, 'bench-deploy-lab3');
  const domainType = (await readFile(`${REPO_ROOT}/.data/lab/hosts/lab3/domain-type`, 'utf8')).trim() === 'kvm' ? 'kvm' : 'qemu';
  const runs = Math.max(1, Number(process.env.HOSTDECK_BENCH_DEPLOY_RUNS ?? 3));
  const tag = `bd${process.pid.toString(36)}`;
  const ours: number[] = [];
  const oursTrips: number[] = [];
  const baseline: number[] = [];

  for (let run = 0; run < runs; run++) {
    // Hostdeck: the strategy, cold pool.
    const prefix = `${tag}-h${run}`;
    const input = smallVms(prefix);
    const rev = revisionOf(rendered(input, domainType), `bench-${prefix}`);
    let trips = 0;
    const pool = new SshPool();
    const strategy = createLibvirtStrategy({ pool, onRoundTrip: () => trips++ });
    const ctx = testDeployContext({ target, revision: rev, hostName: 'lab3' });
    const started = performance.now();
    await strategy.run(ctx);
    ours.push(performance.now() - started);
    oursTrips.push(trips);
    if ((await countDomains(lab, prefix)) !== VMS) throw new Error('bench: the strategy did not define every VM');
    // remove them again (not timed)
    const removal = { ...input, vms: input.vms!.map((vm) => ({ ...vm, remove: true })) };
    await strategy.run(testDeployContext({ target, revision: revisionOf(rendered(removal, domainType)), previous: rev, hostName: 'lab3' }));
    await pool.closeAll();
    if ((await countDomains(lab, prefix)) !== 0) throw new Error('bench: the removal left domains');

    // Baseline: one ssh + virsh define per VM.
    const basePrefix = `${tag}-s${run}`;
    const baseRev = rendered(smallVms(basePrefix), domainType);
    const xmls = baseRev.files.filter((file) => file.path.startsWith('vms/')).map((file) => file.content);
    const t0 = performance.now();
    for (const xml of xmls) await sshDefine(lab, xml);
    baseline.push(performance.now() - t0);
    if ((await countDomains(lab, basePrefix)) !== VMS) throw new Error('bench: the ssh loop did not define every VM');
    await undefineAll(lab, basePrefix);
    console.error(
      `[bench] deploy run ${run + 1}/${runs}: strategy ${ours.at(-1)!.toFixed(0)} ms in ${oursTrips.at(-1)} round trips (${ctx.steps.map((s) => `${s.name} ${s.ms.toFixed(0)} ms`).join(', ')}); ssh loop ${baseline.at(-1)!.toFixed(0)} ms`,
    );
  }
  const label = `deploy ${VMS} new VM definitions to lab3 (libvirt strategy, cold pool)`;
  const baseName = `${VMS} × \`ssh … virsh define /dev/stdin\`, one after the other`;
  return [
    result(`${label}: wall time`, median(ours), 'ms', { name: baseName, value: median(baseline) }),
    result(`${label}: SSH round trips`, median(oursTrips), 'round trips', { name: `${baseName} (one per VM)`, value: VMS }),
  ];
}

/** bench/render's host with `count` VMs (a pool volume from a base image, a bridge each), as a libvirt host. */
function libvirtHost(count: number, memoryFor?: (i: number) => number): HostWithVmsInput {
  const input = benchSpec(count, memoryFor);
  return { ...input, host: { ...input.host, flavour: 'libvirt' } };
}

/** Render + plan + the diff of the changed file; returns the number of changed VMs. */
function renderPlanDiff(input: HostWithVmsInput, deployed: RenderedHost): number {
  const parsed = parseHostWithVms(input);
  if (!parsed.ok) throw new Error('bench spec invalid');
  const desired = renderHost(parsed.value);
  const result = plan({ desired, deployed });
  const before = new Map(deployed.files.map((file) => [file.path, file.content]));
  let diffed = 0;
  for (const file of desired.files) {
    const old = before.get(file.path);
    if (old === file.content) continue;
    diffed += diffText(file.path, file.content).length + (old === undefined ? 0 : diffText(file.path, old).length);
  }
  if (result.summary.changed > 0 && diffed === 0) throw new Error('bench: no diff for the changed VM');
  return result.summary.changed;
}

function timeRenderPlanDiff(count: number, repeats: number): number {
  const deployedInput = libvirtHost(count);
  const parsed = parseHostWithVms(deployedInput);
  if (!parsed.ok) throw new Error('bench spec invalid');
  const deployed = renderHost(parsed.value);
  const desiredInput = libvirtHost(count, (i) => (i === Math.floor(count / 2) ? 4096 : 2048));
  const expected = count > 0 ? 1 : 0;
  if (renderPlanDiff(desiredInput, deployed) !== expected) throw new Error(`bench: expected ${expected} changed VM`);
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    renderPlanDiff(desiredInput, deployed);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

function pureFigures(): BenchResult[] {
  const empty = timeRenderPlanDiff(0, 200);
  const thousand = timeRenderPlanDiff(1000, 5);
  return [
    result('render + plan + diff, libvirt host with 1,000 VMs, one changed', thousand, 'ms', {
      name: 'the same for an empty host',
      value: empty,
    }),
  ];
}

export async function benchDeploy(): Promise<BenchResult[]> {
  const pure = pureFigures();
  return [...(await deployFigures()), ...pure];
}
