// What an operator types cannot reach a host unreviewed: the libvirt URI is
// local only, disk and base-image paths lie inside declared pools and never in
// system folders, deleteDisks only ever deletes inside a pool, and an import
// never keeps a disk it could not manage safely.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diskLocation, hostSpecSchema, libvirtUriProblem, parseHostWithVms, type FieldIssue } from '@/lib/spec';
import { applyHostNeeds, importDomain, type ImportResult } from '@/lib/libvirt';
import { hostConfigProblem, localLibvirtUri, parsePathVerdict, PATH_CHECK_SCRIPT, UnsafeHostConfigError } from '@/lib/hosts/safety';

function doc(overrides: { host?: Record<string, unknown>; disks?: unknown[]; vm?: Record<string, unknown> } = {}) {
  return {
    host: {
      name: 'h1',
      address: '10.0.0.1',
      flavour: 'libvirt',
      cpuVendor: 'intel',
      storagePools: [
        { name: 'default', path: '/var/lib/libvirt/images' },
        { name: 'fast', path: '/srv/nvme/vm pool' },
      ],
      baseImages: [{ name: 'debian', path: '/var/lib/libvirt/images/base/debian.qcow2' }],
      ...overrides.host,
    },
    vms: [
      {
        name: 'web1',
        uuid: '11111111-2222-4333-8444-555555555555',
        vcpus: 1,
        memoryMiB: 512,
        disks: overrides.disks ?? [{ source: { type: 'file', path: '/srv/nvme/vm pool/web1.qcow2' }, sizeGiB: 10 }],
        ...overrides.vm,
      },
    ],
  };
}

function issuesOf(input: unknown): FieldIssue[] {
  const result = parseHostWithVms(input);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.issues;
}

const at = (issues: FieldIssue[], path: string) =>
  issues
    .filter((issue) => issue.path === path)
    .map((issue) => issue.message)
    .join(' | ');

describe('the libvirt URI', () => {
  it.each(['qemu:///system', 'qemu:///session'])('accepts %s', (uri) => {
    expect(libvirtUriProblem(uri)).toBeNull();
    expect(parseHostWithVms(doc({ host: { libvirtUri: uri } })).ok).toBe(true);
  });

  it.each([
    ['qemu+ext:///system?command=/tmp/x', /transport "\+ext" is not allowed/],
    ['qemu+ssh://h/system', /transport "\+ssh" is not allowed/],
    ['qemu+tcp://10.0.0.9/system', /transport "\+tcp" is not allowed/],
    ['qemu+tls://h/system', /transport "\+tls" is not allowed/],
    ['qemu+unix:///system?socket=/tmp/evil.sock', /transport "\+unix" is not allowed/],
    ['qemu:///system?socket=/x', /query parameters are not allowed/],
    ['qemu:///system?', /query parameters are not allowed/],
    ['test:///default', /driver "test" is not allowed/],
    ['qemu://host/system', /must not name a host/],
    ['QEMU:///system', /not allowed/],
    ['qemu:///system ', /not allowed/],
    ['qemu:///embed?root=/tmp', /query parameters/],
    ['lxc:///', /driver "lxc" is not allowed/],
    ['/usr/bin/evil', /is not a libvirt URI/],
  ])('refuses %s with a clear field error at host.libvirtUri', (uri, message) => {
    expect(libvirtUriProblem(uri)).toMatch(message);
    expect(libvirtUriProblem(uri)).toMatch(/use qemu:\/\/\/system/);
    expect(at(issuesOf(doc({ host: { libvirtUri: uri } })), 'host.libvirtUri')).toMatch(message);
    const alone = hostSpecSchema.safeParse({ ...doc().host, libvirtUri: uri });
    expect(alone.success).toBe(false);
    expect(alone.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['libvirtUri']);
  });

  it('a stored host with a refused URI (column or spec) is never given to a command', () => {
    expect(hostConfigProblem({ libvirtUri: 'qemu:///system', spec: { libvirtUri: 'qemu:///system' } })).toBeNull();
    expect(hostConfigProblem({ libvirtUri: 'qemu+ext:///system?command=/tmp/x', spec: {} })).toMatch(
      /Unsafe libvirt URI: .*\+ext.* an admin .* qemu:\/\/\/system/,
    );
    expect(hostConfigProblem({ libvirtUri: 'qemu:///system', spec: { libvirtUri: 'test:///default' } })).toMatch(/driver "test"/);
    expect(() => localLibvirtUri({ name: 'h1', libvirtUri: 'qemu+ssh://x/system' })).toThrow(UnsafeHostConfigError);
    expect(localLibvirtUri({ libvirtUri: 'qemu:///session' })).toBe('qemu:///session');
  });
});

describe('paths that reach the host', () => {
  it('accepts file disks inside a pool folder (also in a subfolder), base images in a pool or the Hostdeck image folder', () => {
    const result = parseHostWithVms(
      doc({
        host: {
          baseImages: [
            { name: 'a', path: '/srv/nvme/vm pool/base/a.qcow2' },
            { name: 'b', path: '/var/lib/hostdeck/images/b.raw', format: 'raw' },
          ],
        },
        disks: [
          { source: { type: 'file', path: '/var/lib/libvirt/images/sub/web1.qcow2' }, sizeGiB: 10, baseImage: 'a' },
          { source: { type: 'volume', pool: 'fast', volume: 'web1-data.raw' }, sizeGiB: 1, baseImage: 'b' },
        ],
      }),
    );
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  it.each([
    [
      '/srv/data/web1.qcow2',
      /is not inside a storage pool of the host \(pools: default at \/var\/lib\/libvirt\/images, fast at \/srv\/nvme\/vm pool\); add a pool/,
    ],
    ['/var/lib/libvirt/images', /is not inside a storage pool/], // the pool's folder itself is no disk
    ['/var/lib/libvirt/imagesX/web1.qcow2', /is not inside a storage pool/], // a prefix of the name is not the folder
    ['/etc/shadow', /a disk cannot be there: \/etc is a system folder/],
    ['/dev/sda', /\/dev is a system folder/],
    ['/proc/self/mem', /\/proc is a system folder/],
    ['/sys/kernel/x', /\/sys is a system folder/],
    ['/boot/vmlinuz', /\/boot is a system folder/],
    ['/root/.ssh/authorized_keys', /\/root is a system folder/],
  ])('refuses the file disk %s at vms[0].disks[0].source.path', (path, message) => {
    expect(at(issuesOf(doc({ disks: [{ source: { type: 'file', path }, sizeGiB: 1 }] })), 'vms[0].disks[0].source.path')).toMatch(message);
  });

  it('refuses ".." (the path must be canonical) even when it would resolve into a pool', () => {
    expect(
      at(
        issuesOf(doc({ disks: [{ source: { type: 'file', path: '/var/lib/libvirt/images/../../../etc/shadow' }, sizeGiB: 1 }] })),
        'vms[0].disks[0].source.path',
      ),
    ).toMatch(/no empty, "\." or "\.\." parts/);
  });

  it.each(['/etc', '/etc/libvirt/pool', '/dev/disk', '/proc', '/sys/fs', '/boot', '/root/vms'])('refuses a storage pool at %s', (path) => {
    expect(at(issuesOf(doc({ host: { storagePools: [{ name: 'bad', path }] }, disks: [] })), 'host.storagePools[0].path')).toMatch(
      /a storage pool cannot be there: \/[a-z]+ is a system folder/,
    );
  });

  it.each([
    ['/srv/images/debian.qcow2', /is neither inside a storage pool of the host .* nor in \/var\/lib\/hostdeck\/images/],
    ['/etc/passwd', /a base image cannot be there: \/etc is a system folder/],
    ['/root/debian.qcow2', /\/root is a system folder/],
  ])('refuses the base image %s at host.baseImages[0].path', (path, message) => {
    expect(at(issuesOf(doc({ host: { baseImages: [{ name: 'debian', path }] } })), 'host.baseImages[0].path')).toMatch(message);
  });

  it('deleteDisks only ever deletes inside a pool: a removed VM with a disk outside every pool is refused, never a base image', () => {
    const outside = issuesOf(
      doc({ vm: { remove: true, deleteDisks: true }, disks: [{ source: { type: 'file', path: '/srv/data/web1.qcow2' }, sizeGiB: 1 }] }),
    );
    expect(at(outside, 'vms[0].disks[0].source.path')).toMatch(
      /not inside a storage pool.* deleteDisks only ever deletes files inside a pool/,
    );
    const baseVolume = issuesOf(
      doc({
        vm: { remove: true, deleteDisks: true },
        disks: [{ source: { type: 'volume', pool: 'default', volume: 'debian.qcow2' }, sizeGiB: 1 }],
        host: { baseImages: [{ name: 'debian', path: '/var/lib/libvirt/images/debian.qcow2' }] },
      }),
    );
    expect(at(baseVolume, 'vms[0].disks[0].source.volume')).toMatch(/is a base image; .* deleteDisks would delete it/);
    expect(parseHostWithVms(doc({ vm: { remove: true, deleteDisks: true } })).ok).toBe(true);
  });

  it('diskLocation gives the pool and file of a disk, or null outside every pool', () => {
    const host = {
      storagePools: [
        { name: 'default', type: 'dir' as const, path: '/var/lib/libvirt/images' },
        { name: 'sub', type: 'dir' as const, path: '/var/lib/libvirt/images/sub' },
      ],
    };
    expect(diskLocation(host, { type: 'volume', pool: 'default', volume: 'a.qcow2' })).toEqual({
      pool: host.storagePools[0],
      path: '/var/lib/libvirt/images/a.qcow2',
    });
    expect(diskLocation(host, { type: 'file', path: '/var/lib/libvirt/images/sub/b.raw' })?.pool.name).toBe('sub'); // the innermost pool
    expect(diskLocation(host, { type: 'file', path: '/srv/b.raw' })).toBeNull();
    expect(diskLocation(host, { type: 'volume', pool: 'nope', volume: 'a' })).toBeNull();
  });

  it('the host-side path check is a fixed script: paths are only ever its arguments', () => {
    expect(PATH_CHECK_SCRIPT).not.toMatch(/\/var\/lib\/libvirt/);
    expect(PATH_CHECK_SCRIPT).toMatch(/realpath -e -- "\$1"/);
    expect(PATH_CHECK_SCRIPT).toMatch(/realpath -m -- "\$2"/);
    expect(['ok', 'outside', 'forbidden', 'no-pool', 'garbage', undefined].map(parsePathVerdict)).toEqual([
      'ok',
      'outside',
      'forbidden',
      'no-pool',
      'outside',
      'outside',
    ]);
  });
});

describe('import keeps only disks it can manage safely', () => {
  const bareHost = hostSpecSchema.parse({ name: 'kvm1', address: '192.0.2.1', flavour: 'libvirt', cpuVendor: 'intel' });
  const base = readFileSync(join(process.cwd(), 'tests/golden/libvirt-9.0/tiny.inactive.xml'), 'utf8');
  const withDisk = (path: string) =>
    base.replace(
      '</devices>',
      `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${path}'/><target dev='vdz' bus='virtio'/></disk></devices>`,
    );
  const ok = (result: ImportResult) => {
    if (!result.ok) throw new Error(result.reason);
    return result;
  };

  it('a file disk in the folder of a pool the host knows brings that pool', () => {
    const result = ok(importDomain(withDisk('/data/vms/x.qcow2'), bareHost, { poolPaths: { vms: '/data/vms' } }));
    expect(result.vm.disks.map((disk) => disk.source)).toContainEqual({ type: 'file', path: '/data/vms/x.qcow2' });
    expect(result.hostNeeds.storagePools).toEqual([{ name: 'vms', path: '/data/vms' }]);
  });

  it('a file disk in no pool brings a pool for its folder', () => {
    const result = ok(importDomain(withDisk('/srv/old vms/x.qcow2'), bareHost));
    expect(result.hostNeeds.storagePools).toEqual([{ name: 'srv-old-vms', path: '/srv/old vms', folder: true }]);
    const adopted = applyHostNeeds(bareHost, result.hostNeeds).host;
    expect(adopted.storagePools).toEqual([{ name: 'srv-old-vms', type: 'dir', path: '/srv/old vms' }]);
    expect(parseHostWithVms({ host: adopted, vms: [result.vm] }).ok).toBe(true);
  });

  it.each(['/etc/x.qcow2', '/root/x.qcow2', '/dev/shm/x.qcow2', '/x.qcow2'])(
    'a file disk at %s is listed as not kept, and brings no pool',
    (path) => {
      const result = ok(importDomain(withDisk(path), bareHost));
      expect(result.vm.disks.map((disk) => disk.source)).not.toContainEqual({ type: 'file', path });
      expect(result.hostNeeds.storagePools).toEqual([]);
      expect(result.unsupported.join('\n')).toMatch(/the disk vdz .* is not kept: .*(system folder|cannot become a storage pool)/);
    },
  );

  it('a disk the host resolved outside its pool (a symlink) is listed as not kept', () => {
    const path = '/var/lib/libvirt/images/x.qcow2';
    const result = ok(
      importDomain(withDisk(path), bareHost, {
        poolPaths: { default: '/var/lib/libvirt/images' },
        unsafeDisks: { [path]: `${path} resolves (through a symlink or "..") to a place outside its pool folder` },
      }),
    );
    expect(result.vm.disks.map((disk) => disk.source)).not.toContainEqual({ type: 'file', path });
    expect(result.unsupported.join('\n')).toMatch(/the disk vdz .* is not kept: on the host .* resolves .* outside its pool folder/);
  });
});
