// Render and plan figures: time per VM to validate a host spec, render it
// (domain XML + NixOS module + manifest) and plan it against a deployed
// revision and live XML, for hosts with 1, 100 and 1,000 VMs; and how the
// per-VM time grows from 100 to 1,000 VMs (1.0 = linear).
//
// Baseline, measured in the same run: Debian's `virt-install --print-xml
// --dry-run --connect test:///default` producing comparable domain XML for
// the same VMs (name, UUID, vCPUs, memory, disk, bridge with fixed MAC, VNC on
// 127.0.0.1, serial console, guest agent, rng), one process per VM as an
// operator or script would run it, time per VM over 10 VMs.
//
// The live XML of the plan is the deployed XML with what libvirtd typically
// adds (ids, addresses, aliases, controllers, seclabel, …), so normalising has
// real work; one VM in ten has a changed memory size.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { median, result, type BenchResult } from '@/bench/types';
import { parseHostWithVms, type HostWithVmsInput } from '@/lib/spec';
import { plan, renderHost, type RenderedHost } from '@/lib/render';

const run = promisify(execFile);

function uuidFor(i: number): string {
  return `6f1c2a4e-3b5d-4c7e-8f90-${i.toString(16).padStart(12, '0')}`;
}

function macFor(i: number): string {
  const hex = i.toString(16).padStart(6, '0');
  return `52:54:00:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

function vmInput(i: number, memoryMiB = 2048) {
  return {
    name: `bench-vm-${i}`,
    uuid: uuidFor(i),
    vcpus: 2,
    memoryMiB,
    disks: [{ source: { type: 'volume', pool: 'default', volume: `bench-vm-${i}.qcow2` }, sizeGiB: 20, baseImage: 'debian-12' }],
    interfaces: [{ type: 'bridge', bridge: 'br0', mac: macFor(i) }],
    description: `bench vm ${i} — "quoted" & <escaped>`,
    tags: ['bench', `group-${i % 10}`],
  };
}

/** A NixOS host with `count` VMs, as the JSON an operator would send. */
export function benchSpec(count: number, memoryFor: (i: number) => number = () => 2048): HostWithVmsInput {
  return {
    host: {
      name: 'bench',
      address: '10.0.0.10',
      flavour: 'nixos',
      cpuVendor: 'intel',
      network: {
        nics: ['eno1', 'eno2'],
        bonds: [{ name: 'bond0', interfaces: ['eno1', 'eno2'], mode: '802.3ad', macAddress: '02:00:00:00:00:01' }],
        bridges: [{ name: 'br0', uplink: { kind: 'bond', name: 'bond0' }, macAddress: '02:00:00:00:00:02', ipv4: { dhcp: true } }],
      },
      storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
      baseImages: [{ name: 'debian-12', path: '/var/lib/hostdeck/images/debian-12.qcow2' }],
    },
    vms: Array.from({ length: count }, (_, i) => vmInput(i, memoryFor(i))),
  } as HostWithVmsInput;
}

/** What `virsh dumpxml` typically adds to a defined, running domain. */
function asLibvirtWouldShowIt(xml: string, id: number): string {
  let slot = 1;
  const address = () =>
    `<address type='pci' domain='0x0000' bus='0x${(slot++).toString(16).padStart(2, '0')}' slot='0x00' function='0x0'/>`;
  return xml
    .replace('<domain type="kvm">', `<domain type='kvm' id='${id}'>`)
    .replace(
      /<memory unit="MiB">(\d+)<\/memory>/,
      (_, mib: string) =>
        `<memory unit='KiB'>${Number(mib) * 1024}</memory>\n  <currentMemory unit='KiB'>${Number(mib) * 1024}</currentMemory>`,
    )
    .replace('<vcpu>', "<vcpu placement='static'>")
    .replace('machine="q35"', "machine='pc-q35-7.2'")
    .replace('<cpu mode="host-passthrough"/>', "<cpu mode='host-passthrough' check='none' migratable='on'/>")
    .replace(
      '<devices>',
      '<on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n  <on_crash>destroy</on_crash>\n  <devices>\n    <emulator>/usr/bin/qemu-system-x86_64</emulator>',
    )
    .replace(/<\/(disk|interface|video|rng|channel)>/g, (closing) => `  <alias name='dev${slot}'/>\n      ${address()}\n    ${closing}`)
    .replace(
      '</devices>',
      `  <controller type='usb' index='0' model='qemu-xhci'>${address()}</controller>\n    <controller type='pci' index='0' model='pcie-root'/>\n    <controller type='virtio-serial' index='0'>${address()}</controller>\n    <input type='mouse' bus='ps2'/>\n    <input type='keyboard' bus='ps2'/>\n    <memballoon model='virtio'>${address()}</memballoon>\n  </devices>\n  <seclabel type='dynamic' model='dac' relabel='yes'><label>+0:+0</label><imagelabel>+0:+0</imagelabel></seclabel>`,
    )
    .replace('port="-1" autoport="yes"', `port='${5900 + id}' autoport='yes' listen='127.0.0.1'`);
}

interface Prepared {
  input: HostWithVmsInput;
  deployed: RenderedHost;
  live: Record<string, string>;
}

function prepare(count: number): Prepared {
  const deployedSpec = parseHostWithVms(benchSpec(count));
  if (!deployedSpec.ok) throw new Error(`bench spec invalid: ${JSON.stringify(deployedSpec.issues.slice(0, 3))}`);
  const deployed = renderHost(deployedSpec.value);
  const live: Record<string, string> = {};
  deployed.manifest.vms.forEach((vm, index) => {
    live[vm.name] = asLibvirtWouldShowIt(deployed.files.find((file) => file.path === vm.xmlFile)!.content, index + 1);
  });
  // The desired state: one VM in ten got more memory.
  return { input: benchSpec(count, (i) => (i % 10 === 0 ? 4096 : 2048)), deployed, live };
}

/** One full pass: validate, render, plan. Returns the number of changed VMs (so nothing is optimised away). */
function renderAndPlan(prepared: Prepared): number {
  const parsed = parseHostWithVms(prepared.input);
  if (!parsed.ok) throw new Error('bench spec invalid');
  const desired = renderHost(parsed.value);
  const result = plan({ desired, deployed: prepared.deployed, live: prepared.live });
  if (result.summary.drifted !== 0) throw new Error(`bench: unexpected drift in ${result.vms.find((vm) => vm.drifted)?.name}`);
  return result.summary.changed;
}

function renderOnly(prepared: Prepared): number {
  const parsed = parseHostWithVms(prepared.input);
  if (!parsed.ok) throw new Error('bench spec invalid');
  return renderHost(parsed.value).files.length;
}

/** Median milliseconds per VM of `fn` over `repeats` runs (after one warm-up). */
function perVm(count: number, repeats: number, fn: (prepared: Prepared) => number): number {
  const prepared = prepare(count);
  const expectedChanged = Math.ceil(count / 10);
  if (fn === renderAndPlan && fn(prepared) !== expectedChanged) throw new Error('bench: plan did not find the changed VMs');
  fn(prepared);
  const samples: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    fn(prepared);
    samples.push((performance.now() - started) / count);
  }
  return median(samples);
}

function virtInstallArgs(i: number): string[] {
  return [
    '--connect',
    'test:///default',
    '--print-xml',
    '--dry-run',
    '--noautoconsole',
    '--name',
    `bench-vm-${i}`,
    '--uuid',
    uuidFor(i),
    '--vcpus',
    '2',
    '--memory',
    '2048',
    '--boot',
    'hd',
    '--disk',
    `path=/var/lib/libvirt/images/bench-vm-${i}.qcow2,size=20,format=qcow2,bus=virtio`,
    '--network',
    `bridge=br0,mac=${macFor(i)},model=virtio`,
    '--graphics',
    'vnc,listen=127.0.0.1',
    '--serial',
    'pty',
    '--console',
    'pty,target_type=serial',
    '--channel',
    'unix,target_type=virtio,name=org.qemu.guest_agent.0',
    '--rng',
    '/dev/urandom',
    '--osinfo',
    'detect=off,require=off',
    '--metadata',
    `description=bench vm ${i}`,
  ];
}

/** Milliseconds per VM for virt-install to print the domain XML of `count` VMs, one process each. */
async function virtInstallPerVm(count: number): Promise<number> {
  await run('virt-install', virtInstallArgs(0)); // warm the page cache
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const { stdout } = await run('virt-install', virtInstallArgs(i));
    if (!stdout.includes(`<name>bench-vm-${i}</name>`)) throw new Error('virt-install printed no domain XML');
  }
  return (performance.now() - started) / count;
}

export async function benchRender(): Promise<BenchResult[]> {
  const baseline = { name: 'virt-install --print-xml (test:///default), per VM over 10 VMs', value: await virtInstallPerVm(10) };
  const one = perVm(1, 200, renderAndPlan);
  const hundred = perVm(100, 10, renderAndPlan);
  const thousand = perVm(1000, 3, renderAndPlan);
  const renderThousand = perVm(1000, 3, renderOnly);
  return [
    result('render + plan, host with 1 VM (per VM)', one, 'ms', baseline),
    result('render + plan, host with 100 VMs (per VM)', hundred, 'ms', baseline),
    result('render + plan, host with 1000 VMs (per VM)', thousand, 'ms', baseline),
    result('render only, host with 1000 VMs (per VM)', renderThousand, 'ms', baseline),
    result('render + plan growth: per-VM time at 1000 VMs / at 100 VMs (1 = linear)', thousand / hundred, '×'),
  ];
}
