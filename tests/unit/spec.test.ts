// lib/spec: what is accepted, what is rejected and how the operator is told
// (field paths and messages), identity helpers, JSON Schema.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  assignIdentity,
  formatIssues,
  formatPath,
  hostSpecJsonSchema,
  hostWithVmsSchema,
  isCanonicalAbsolutePath,
  newMac,
  newUuid,
  parseHostWithVms,
  vmDraftSchema,
  type FieldIssue,
} from '@/lib/spec';

const golden = () => JSON.parse(readFileSync('tests/golden/nixos-host/spec.json', 'utf8'));

function minimal(): { host: Record<string, unknown>; vms: Record<string, unknown>[] } {
  return {
    host: {
      name: 'h1',
      address: '10.0.0.1',
      flavour: 'libvirt',
      cpuVendor: 'intel',
      network: { nics: ['eno1'], bridges: [{ name: 'br0' }], libvirtNetworks: ['default'] },
      storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
      baseImages: [{ name: 'debian', path: '/var/lib/hostdeck/images/debian.qcow2' }],
    },
    vms: [
      {
        name: 'web1',
        uuid: '11111111-2222-4333-8444-555555555555',
        vcpus: 1,
        memoryMiB: 512,
        disks: [{ source: { type: 'volume', pool: 'default', volume: 'web1.qcow2' }, sizeGiB: 10, baseImage: 'debian' }],
        interfaces: [{ type: 'bridge', bridge: 'br0', mac: '52:54:00:00:00:01' }],
      },
    ],
  };
}

function issuesOf(input: unknown): FieldIssue[] {
  const result = parseHostWithVms(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.issues;
}

function messageAt(issues: FieldIssue[], path: string): string {
  const found = issues.filter((issue) => issue.path === path);
  expect(found, `an issue at ${path}; got ${JSON.stringify(issues)}`).not.toHaveLength(0);
  return found.map((issue) => issue.message).join(' | ');
}

describe('parseHostWithVms', () => {
  it('accepts the golden specs and fills defaults', () => {
    const result = parseHostWithVms(minimal());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const vm = result.value.vms[0]!;
    expect(vm).toMatchObject({
      machine: 'q35',
      firmware: 'bios',
      powerState: 'running',
      autostart: true,
      remove: false,
      deleteDisks: false,
      tags: [],
      description: '',
    });
    expect(vm.graphics).toEqual({ vnc: true, spice: false });
    expect(vm.disks[0]).toMatchObject({ bus: 'virtio', format: 'qcow2' });
    expect(result.value.host).toMatchObject({ sshPort: 22, sshUser: 'root', libvirtUri: 'qemu:///system' });
    expect(parseHostWithVms(golden()).ok).toBe(true);
    expect(parseHostWithVms(JSON.parse(readFileSync('tests/golden/libvirt-host/spec.json', 'utf8'))).ok).toBe(true);
  });

  it('reports missing fields, wrong types and limits with paths like vms[0].disks[0].sizeGiB', () => {
    const spec = minimal();
    const vm = spec.vms[0]!;
    delete vm.vcpus;
    vm.memoryMiB = 8;
    (vm.disks as Record<string, unknown>[])[0]!.sizeGiB = 1.5;
    vm.firmware = 'coreboot';
    const issues = issuesOf(spec);
    expect(messageAt(issues, 'vms[0].vcpus')).toBe('is required');
    expect(messageAt(issues, 'vms[0].memoryMiB')).toBe('must be at least 16 MiB');
    expect(messageAt(issues, 'vms[0].disks[0].sizeGiB')).toBe('must be a whole number of GiB');
    expect(messageAt(issues, 'vms[0].firmware')).toBe('must be one of: "bios", "uefi"');
  });

  it('enforces the documented limits at both ends', () => {
    const check = (patch: Record<string, unknown>) => {
      const spec = minimal();
      Object.assign(spec.vms[0]!, patch);
      return parseHostWithVms(spec);
    };
    expect(check({ memoryMiB: 16 }).ok).toBe(true);
    expect(check({ memoryMiB: 16 * 1024 * 1024 }).ok).toBe(true);
    expect(check({ memoryMiB: 16 * 1024 * 1024 + 1 }).ok).toBe(false);
    expect(check({ vcpus: 4096 }).ok).toBe(true);
    expect(check({ vcpus: 4097 }).ok).toBe(false);
    expect(check({ vcpus: 0 }).ok).toBe(false);
    expect(check({ memoryMiB: '512' }).ok).toBe(false);
  });

  it('restricts VM names to what libvirt, Nix, systemd and DNS all accept', () => {
    const ok = ['a', 'web1', 'web-1', 'a'.repeat(63)];
    const bad = ['', '1web', 'Web', 'web-', 'we_b', 'web.1', 'a'.repeat(64), 'web 1', 'web${x}', "web'", 'wéb'];
    for (const name of ok) expect(parseHostWithVms({ ...minimal(), vms: [{ ...minimal().vms[0], name }] }).ok, name).toBe(true);
    for (const name of bad) {
      const issues = issuesOf({ ...minimal(), vms: [{ ...minimal().vms[0], name }] });
      expect(messageAt(issues, 'vms[0].name')).toMatch(/lowercase letters, digits and hyphens/);
    }
  });

  it('rejects unknown fields, naming each one (graphics cannot be told to listen elsewhere)', () => {
    const spec = minimal();
    spec.vms[0]!.graphics = { vnc: true, listen: '0.0.0.0' };
    spec.vms[0]!.memoryMb = 1024;
    const issues = issuesOf(spec);
    expect(messageAt(issues, 'vms[0].graphics.listen')).toBe('is not a known field');
    expect(messageAt(issues, 'vms[0].memoryMb')).toBe('is not a known field');
  });

  it('accepts any free text but NUL and unpaired surrogates', () => {
    const hostile = `"quotes" 'single' \${x} '' \\ \n\r\t <&> ]]> &amp; ;|&$()\` 😀 ünï \u0001\u007f\ufffe`;
    const spec = minimal();
    Object.assign(spec.vms[0]!, { description: hostile, tags: [hostile.slice(0, 60)], cloudInit: { userData: hostile } });
    expect(parseHostWithVms(spec).ok).toBe(true);

    Object.assign(spec.vms[0]!, { description: 'a\u0000b', tags: ['x\ud800'], cloudInit: { userData: '\u0000' } });
    const issues = issuesOf(spec);
    expect(messageAt(issues, 'vms[0].description')).toBe('description must not contain NUL characters');
    expect(messageAt(issues, 'vms[0].tags[0]')).toMatch(/unpaired surrogate/);
    expect(messageAt(issues, 'vms[0].cloudInit.userData')).toBe('user-data must not contain NUL characters');
  });

  it('checks paths: absolute and canonical, but quotes and spaces are allowed', () => {
    expect(isCanonicalAbsolutePath('/srv/it\'s a "disk" $x.img')).toBe(true);
    for (const bad of ['relative/x', '/', '/a//b', '/a/../b', '/a/./b', '/a/', '/a\nb', '/a\u0000b']) {
      expect(isCanonicalAbsolutePath(bad), JSON.stringify(bad)).toBe(false);
    }
    const spec = minimal();
    (spec.vms[0]!.disks as unknown[])[0] = { source: { type: 'file', path: '/var/../etc/shadow' }, sizeGiB: 1 };
    expect(messageAt(issuesOf(spec), 'vms[0].disks[0].source.path')).toMatch(/absolute path/);
  });

  it('cross-checks names, UUIDs, MACs, bridges, NICs, networks, pools and base images', () => {
    const spec = minimal();
    const vm = spec.vms[0]!;
    spec.vms.push({
      ...vm,
      interfaces: [
        { type: 'bridge', bridge: 'br9', mac: '52:54:00:00:00:01' },
        { type: 'direct', dev: 'eth7', mac: '52:54:00:00:00:02' },
        { type: 'network', network: 'nat', mac: '52:54:00:00:00:03' },
      ],
      disks: [
        { source: { type: 'volume', pool: 'nvme', volume: 'x.qcow2' }, sizeGiB: 1, baseImage: 'ubuntu' },
        { source: { type: 'volume', pool: 'default', volume: 'web1.qcow2' }, sizeGiB: 1 },
      ],
      deleteDisks: true,
    });
    const issues = issuesOf(spec);
    expect(messageAt(issues, 'vms[1].name')).toBe('another VM on this host (vms[0].name) is already named web1');
    expect(messageAt(issues, 'vms[1].uuid')).toMatch(/already used by vms\[0\]\.uuid/);
    expect(messageAt(issues, 'vms[1].interfaces[0].mac')).toMatch(/already used at vms\[0\]\.interfaces\[0\]\.mac/);
    expect(messageAt(issues, 'vms[1].interfaces[0].bridge')).toBe('bridge br9 is not defined in host.network.bridges (known: br0)');
    expect(messageAt(issues, 'vms[1].interfaces[1].dev')).toMatch(/eth7 is neither a NIC/);
    expect(messageAt(issues, 'vms[1].interfaces[2].network')).toMatch(/libvirt network nat is not listed/);
    expect(messageAt(issues, 'vms[1].disks[0].source.pool')).toBe('storage pool nvme is not defined in host.storagePools (known: default)');
    expect(messageAt(issues, 'vms[1].disks[0].baseImage')).toMatch(/base image ubuntu is not defined/);
    expect(messageAt(issues, 'vms[1].disks[1].source.volume')).toMatch(/already used as vms\[0\]\.disks\[0\]\.source\.volume/);
    expect(messageAt(issues, 'vms[1].deleteDisks')).toBe('deleteDisks only applies when remove is also set');
  });

  it('cross-checks host networking: bond members, uplinks, macvtap on enslaved NICs', () => {
    const spec = golden();
    spec.host.network.bonds[0].interfaces.push('eno9');
    spec.host.network.bridges[1].uplink = { kind: 'nic', name: 'eno1' };
    spec.vms[0].interfaces.push({ type: 'direct', dev: 'eno2', mac: '52:54:00:1a:00:99' });
    const issues = issuesOf(spec);
    expect(messageAt(issues, 'host.network.bonds[0].interfaces[2]')).toMatch(/NIC eno9 is not listed in host.network.nics/);
    expect(messageAt(issues, 'host.network.bridges[1].uplink.name')).toMatch(/member of bond bond0; build the bridge over the bond/);
    expect(messageAt(issues, 'vms[0].interfaces[1].dev')).toMatch(/member of bond bond0; macvtap needs a free NIC or the bond itself/);
  });

  it('runs the cross-field checks even when other fields are invalid', () => {
    const spec = minimal();
    spec.vms.push({ ...spec.vms[0], vcpus: -1 });
    const paths = issuesOf(spec).map((issue) => issue.path);
    expect(paths).toContain('vms[1].vcpus');
    expect(paths).toContain('vms[1].name');
  });

  it('survives any JSON value as input', () => {
    for (const input of [null, 42, 'x', [], {}, { host: [], vms: {} }, { host: { network: 5 }, vms: [null, 3, { interfaces: 'x' }] }]) {
      const result = parseHostWithVms(input);
      expect(result.ok).toBe(false);
      if (!result.ok) for (const issue of result.issues) expect(issue.message).not.toBe('');
    }
  });

  it('the zod schema applies the same cross-field checks', () => {
    const spec = minimal();
    spec.vms.push(spec.vms[0]!);
    const result = hostWithVmsSchema.safeParse(spec);
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!).map((issue) => issue.path)).toContain('vms[1].name');
  });
});

describe('formatIssues and formatPath', () => {
  it('formats paths with indexes and quotes odd keys', () => {
    expect(formatPath(['vms', 2, 'disks', 0, 'sizeGiB'])).toBe('vms[2].disks[0].sizeGiB');
    expect(formatPath([])).toBe('');
    expect(formatPath(['a', 'b-c', 'd'])).toBe('a["b-c"].d');
  });

  it('takes a ZodError', () => {
    const error = z.strictObject({ a: z.array(z.number()) }).safeParse({ a: [1, 'x'], b: 1 }).error!;
    expect(formatIssues(error).map((issue) => issue.path)).toEqual(['a[1]', 'b']);
  });
});

describe('identity', () => {
  it('newUuid gives distinct lowercase v4 UUIDs', () => {
    const values = new Set(Array.from({ length: 1000 }, newUuid));
    expect(values.size).toBe(1000);
    for (const value of values) expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('newMac gives 52:54:00 unicast MACs', () => {
    const values = Array.from({ length: 1000 }, newMac);
    expect(new Set(values).size).toBeGreaterThan(990);
    for (const value of values) expect(value).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });

  it('assignIdentity fills missing UUID and MACs once and keeps given ones', () => {
    const draft = vmDraftSchema.parse({
      name: 'new',
      vcpus: 1,
      memoryMiB: 256,
      interfaces: [
        { type: 'bridge', bridge: 'br0' },
        { type: 'bridge', bridge: 'br0', mac: '52:54:00:aa:bb:cc' },
      ],
    });
    const vm = assignIdentity(draft);
    expect(vm.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(vm.interfaces[0]!.mac).toMatch(/^52:54:00:/);
    expect(vm.interfaces[1]!.mac).toBe('52:54:00:aa:bb:cc');
    expect(assignIdentity(vm)).toEqual(vm);
  });
});

describe('hostSpecJsonSchema', () => {
  it('is a JSON Schema of { host, vms } generated from zod', () => {
    type Node = { pattern?: string; additionalProperties?: unknown; required?: string[]; items: Node; properties: Record<string, Node> };
    const schema = hostSpecJsonSchema() as { $schema: string; properties: Record<string, Node>; required: string[] };
    expect(schema.$schema).toMatch(/json-schema/);
    expect(schema.required).toEqual(['host']);
    const vm = schema.properties.vms!.items;
    expect(vm.properties.memoryMiB).toMatchObject({ type: 'integer', minimum: 16, maximum: 16 * 1024 * 1024 });
    expect(vm.properties.name?.pattern).toBeDefined();
    expect(vm.additionalProperties).toBe(false);
    expect(vm.required).toEqual(expect.arrayContaining(['name', 'uuid', 'vcpus', 'memoryMiB']));
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
