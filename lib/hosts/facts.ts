// What a host is: OS and NixOS version, kernel, CPU, virtualisation support,
// memory, libvirt and QEMU versions, pools, networks, bridges and NICs, existing
// domains — read in one SSH round trip by a fixed script (no input reaches the
// shell: the libvirt URI is passed as a positional argument) and parsed here.
import { hostScript } from '@/lib/hosts/scripts';

/** lib/hosts/scripts/facts.sh: one "@@hostdeck:NAME" section per fact. */
export const FACTS_SCRIPT = hostScript('facts.sh');

export type HostFacts = {
  kernel: string;
  arch: string;
  os: { prettyName: string; id: string; versionId: string };
  nixosVersion: string | null;
  cpu: { count: number; model: string; virtualization: 'vmx' | 'svm' | null; kvmDevice: boolean };
  memory: { totalMiB: number; availableMiB: number | null };
  libvirtVersion: string | null;
  qemuVersion: string | null;
  pools: string[];
  networks: string[];
  nics: string[];
  bridges: string[];
  bonds: string[];
  domains: string[];
};

function sections(output: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of output.split('\n')) {
    const marker = /^@@hostdeck:([a-z]+)$/.exec(line);
    if (marker) {
      current = [];
      map.set(marker[1]!, current);
    } else if (current) {
      current.push(line);
    }
  }
  return map;
}

type Link = { ifname?: string; link_type?: string; linkinfo?: { info_kind?: string; info_slave_kind?: string } };

export function parseFacts(output: string): HostFacts {
  const s = sections(output);
  if (!s.has('end')) throw new Error('the facts script did not finish; output was cut off');
  const lines = (key: string) => (s.get(key) ?? []).map((l) => l.trim()).filter(Boolean);
  const first = (key: string) => lines(key)[0] ?? '';
  const kib = (name: string) => Number(/(\d+)/.exec(lines('meminfo').find((l) => l.startsWith(`${name}:`)) ?? '')?.[1] ?? NaN);
  const virsh = lines('virsh').join('\n');
  let links: Link[] = [];
  try {
    links = JSON.parse(lines('links').join('') || '[]') as Link[];
  } catch {
    links = [];
  }
  const kind = (l: Link) => l.linkinfo?.info_kind;
  const os = lines('os');
  const flag = first('cpuflags');
  const available = kib('MemAvailable');
  return {
    kernel: first('kernel'),
    arch: first('arch'),
    os: { prettyName: os[0] ?? '', id: os[1] ?? '', versionId: os[2] ?? '' },
    nixosVersion: first('nixos') || null,
    cpu: {
      count: Number(first('cpus')) || 0,
      model: first('cpumodel'),
      virtualization: flag === 'vmx' || flag === 'svm' ? flag : null,
      kvmDevice: first('kvm') === 'yes',
    },
    memory: {
      totalMiB: Math.round(kib('MemTotal') / 1024) || 0,
      availableMiB: Number.isFinite(available) ? Math.round(available / 1024) : null,
    },
    libvirtVersion: /Using library: libvirt ([\d.]+)/.exec(virsh)?.[1] ?? null,
    qemuVersion: /Running hypervisor: QEMU ([\d.]+)/.exec(virsh)?.[1] ?? null,
    pools: lines('pools'),
    networks: lines('networks'),
    nics: links
      .filter((l) => l.link_type === 'ether' && !kind(l) && l.ifname)
      .map((l) => l.ifname!)
      .sort(),
    bridges: links
      .filter((l) => kind(l) === 'bridge')
      .map((l) => l.ifname!)
      .sort(),
    bonds: links
      .filter((l) => kind(l) === 'bond')
      .map((l) => l.ifname!)
      .sort(),
    domains: lines('domains'),
  };
}
