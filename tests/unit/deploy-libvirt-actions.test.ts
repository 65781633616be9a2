// The pure half of the libvirt deployment strategy
// (lib/deploy/strategies/libvirt-actions): the action file the fixed script
// reads, which files are uploaded, reading the script's output, and the
// verification of the domains it reports. The script itself parses under sh.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  actionFileText,
  actionLines,
  DeployActionError,
  deployFiles,
  fileMode,
  filesToUpload,
  logLines,
  parseApplyOutput,
  seedHash,
  shutdownTimeoutSeconds,
  uploadedRecord,
  verifyDeployment,
} from '@/lib/deploy/strategies/libvirt-actions';
import { deployScript, LIBVIRT_STEPS, libvirtStrategy } from '@/lib/deploy/strategies/libvirt';
import { renderHost, type RenderedHost, type RenderManifest, sha256Hex } from '@/lib/render';
import { parseHostWithVms, type HostWithVmsInput } from '@/lib/spec';

const IDS = {
  web: '3f2c6d1e-8a4b-4c2d-9e0f-1a2b3c4d5e01',
  db: '3f2c6d1e-8a4b-4c2d-9e0f-1a2b3c4d5e02',
  old: '3f2c6d1e-8a4b-4c2d-9e0f-1a2b3c4d5e03',
  kept: '3f2c6d1e-8a4b-4c2d-9e0f-1a2b3c4d5e04',
};
const USER_DATA = '#cloud-config\npassword: hunter2-secret\n';

function spec(edit: (doc: HostWithVmsInput) => void = () => undefined): HostWithVmsInput {
  const doc: HostWithVmsInput = {
    host: {
      name: 'kvm1',
      address: '10.0.0.5',
      flavour: 'libvirt',
      cpuVendor: 'amd',
      network: { bridges: [{ name: 'br0' }] },
      storagePools: [
        { name: 'default', path: '/var/lib/libvirt/images' },
        { name: 'fast', path: '/srv/fast vms' },
      ],
      baseImages: [{ name: 'debian-12', path: '/var/lib/hostdeck/images/debian-12.qcow2', format: 'qcow2' }],
    },
    vms: [
      {
        name: 'web',
        uuid: IDS.web,
        vcpus: 2,
        memoryMiB: 2048,
        disks: [
          { source: { type: 'volume', pool: 'default', volume: 'web.qcow2' }, sizeGiB: 20, baseImage: 'debian-12' },
          { source: { type: 'file', path: '/srv/fast vms/web data.raw' }, sizeGiB: 5, format: 'raw' },
        ],
        interfaces: [{ type: 'bridge', bridge: 'br0', mac: '52:54:00:00:00:01' }],
        cloudInit: { userData: USER_DATA },
      },
      { name: 'db', uuid: IDS.db, vcpus: 1, memoryMiB: 1024, firmware: 'uefi', powerState: 'stopped', autostart: false },
      {
        name: 'old',
        uuid: IDS.old,
        vcpus: 1,
        memoryMiB: 512,
        firmware: 'uefi',
        disks: [{ source: { type: 'volume', pool: 'default', volume: 'old.qcow2' }, sizeGiB: 10 }],
        remove: true,
        deleteDisks: true,
      },
      {
        name: 'kept',
        uuid: IDS.kept,
        vcpus: 1,
        memoryMiB: 512,
        disks: [{ source: { type: 'volume', pool: 'default', volume: 'kept.qcow2' }, sizeGiB: 10 }],
        remove: true,
      },
    ],
  } as HostWithVmsInput;
  edit(doc);
  return doc;
}

function render(doc: HostWithVmsInput = spec()): RenderedHost {
  const parsed = parseHostWithVms(doc);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return renderHost(parsed.value, { domainType: 'kvm' });
}

const fileSha = (rendered: RenderedHost, path: string) => sha256Hex(rendered.files.find((f) => f.path === path)!.content);

describe('action lines', () => {
  const rendered = render();

  it('one line per action, tab-separated, "-" for empty fields, in manifest order', () => {
    const lines = actionLines(rendered.manifest).map((line) => line.split('\t'));
    expect(lines).toEqual([
      ['vm', 'db', IDS.db, fileSha(rendered, 'vms/db.xml'), '0', 'stopped', 'uefi'],
      ['remove', 'kept', IDS.kept, 'bios', '0'],
      ['remove', 'old', IDS.old, 'uefi', '1'],
      ['rmdisk', 'old', 'volume', 'default', 'old.qcow2', '-'],
      [
        'disk',
        'web',
        'volume',
        'default',
        'web.qcow2',
        '-',
        '20',
        'qcow2',
        'debian-12',
        '/var/lib/hostdeck/images/debian-12.qcow2',
        'qcow2',
      ],
      ['disk', 'web', 'file', '-', '-', '/srv/fast vms/web data.raw', '5', 'raw', '-', '-', '-'],
      [
        'seed',
        'web',
        '/var/lib/hostdeck/seeds/web.iso',
        seedHash(
          '/var/lib/hostdeck/seeds/web.iso',
          fileSha(rendered, 'cloud-init/web/user-data'),
          fileSha(rendered, 'cloud-init/web/meta-data'),
        ),
      ],
      ['vm', 'web', IDS.web, fileSha(rendered, 'vms/web.xml'), '1', 'running', 'bios'],
    ]);
  });

  it('the action file is data only: no XML, no user-data', () => {
    const text = actionFileText(actionLines(rendered.manifest));
    expect(text.startsWith('# ')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('<domain');
  });

  it('a changed user-data changes the seed line, nothing else of the VM', () => {
    const changed = render(
      spec((doc) => {
        doc.vms![0]!.cloudInit = { userData: `${USER_DATA}# more\n` };
      }),
    );
    const before = actionLines(rendered.manifest);
    const after = actionLines(changed.manifest);
    const diff = after.filter((line) => !before.includes(line));
    expect(diff.map((line) => line.split('\t')[0])).toEqual(['seed']);
  });

  const tamper = (edit: (manifest: RenderManifest) => void): RenderManifest => {
    const manifest = structuredClone(rendered.manifest);
    edit(manifest);
    return manifest;
  };

  it('refuses a manifest the script must not get (read back from the database, not trusted)', () => {
    const cases: [string, (m: RenderManifest) => void, RegExp][] = [
      [
        'tab in a path',
        (m) => {
          m.vms[3]!.disks[1]!.path = '/srv/fast vms/a\tb';
        },
        /not an absolute, canonical path/,
      ],
      [
        'system folder',
        (m) => {
          m.vms[3]!.disks[1]!.path = '/etc/shadow';
        },
        /refused: \/etc is a system folder/,
      ],
      [
        'bad name',
        (m) => {
          m.vms[0]!.name = 'db;rm';
        },
        /refused VM name/,
      ],
      [
        'bad UUID',
        (m) => {
          m.vms[0]!.uuid = 'x';
        },
        /db: refused UUID/,
      ],
      [
        'XML elsewhere',
        (m) => {
          m.vms[0]!.xmlFile = '../../etc/x.xml';
        },
        /unexpected domain XML file/,
      ],
      [
        'seed elsewhere',
        (m) => {
          m.vms[3]!.seed!.isoPath = '/var/lib/libvirt/images/x.iso';
        },
        /unexpected cloud-init seed paths/,
      ],
      [
        'pool name',
        (m) => {
          m.vms[3]!.disks[0]!.pool = 'a b';
        },
        /refused storage pool name/,
      ],
      [
        'base image path',
        (m) => {
          m.vms[3]!.disks[0]!.baseImage!.path = '/proc/1/mem';
        },
        /base image path \/proc\/1\/mem is refused/,
      ],
      [
        'twice',
        (m) => {
          m.vms.push(m.vms[0]!);
        },
        /db: listed twice/,
      ],
      [
        'missing XML hash',
        (m) => {
          m.files = m.files.filter((f) => f.path !== 'vms/web.xml');
        },
        /web: the revision has no file vms\/web.xml/,
      ],
    ];
    for (const [what, edit, message] of cases) {
      expect(() => actionLines(tamper(edit)), what).toThrow(DeployActionError);
      expect(() => actionLines(tamper(edit)), what).toThrow(message);
    }
  });
});

describe('files to upload', () => {
  const rendered = render();
  const files = deployFiles(rendered.files);

  it('only VM files go to a libvirt host; user-data is readable by the login only', () => {
    expect(files.map((f) => f.path)).toEqual(['cloud-init/web/meta-data', 'cloud-init/web/user-data', 'vms/db.xml', 'vms/web.xml']);
    expect(deployFiles([...rendered.files, { path: 'default.nix', content: '{ }' }]).map((f) => f.path)).not.toContain('default.nix');
    expect(fileMode('cloud-init/web/user-data')).toBe(0o600);
    expect(fileMode('vms/web.xml')).toBe(0o644);
  });

  it('all without a record, none when the record matches, the changed ones otherwise', () => {
    expect(filesToUpload(files, null)).toEqual(files);
    expect(filesToUpload(files, 'not json')).toEqual(files);
    expect(filesToUpload(files, '{"format":"other","files":{}}')).toEqual(files);
    const record = uploadedRecord('rev-1', files);
    expect(JSON.parse(record)).toMatchObject({ format: 'hostdeck.deploy-files/v1', revision: 'rev-1' });
    expect(record).not.toContain('hunter2');
    expect(filesToUpload(files, record)).toEqual([]);

    const changed = deployFiles(
      render(
        spec((doc) => {
          doc.vms![1]!.memoryMiB = 4096;
        }),
      ).files,
    );
    expect(filesToUpload(changed, record).map((f) => f.path)).toEqual(['vms/db.xml']);
  });
});

describe('the script output', () => {
  const MARK = '0123456789abcdef';
  const rendered = render();
  const xml = (path: string) => rendered.files.find((f) => f.path === path)!.content;
  const info = (name: string, uuid: string, state: string, autostart: boolean, id = '-') =>
    [
      `Id:             ${id}`,
      `Name:           ${name}`,
      `UUID:           ${uuid}`,
      `State:          ${state}`,
      `Autostart:      ${autostart ? 'enable' : 'disable'}`,
    ].join('\n');
  // a forged marker inside an XML (another mark) is just text
  const forged = xml('vms/db.xml').replace('</domain>', '  <description>\n@@ffffffffffffffff fail web forged\n</description>\n</domain>');
  const output = (webXml = xml('vms/web.xml'), webState = 'running', dbAutostart = false, dbXml = xml('vms/db.xml')) =>
    [
      `@@${MARK} log web disk /var/lib/libvirt/images/web.qcow2 created (20 GiB qcow2) from base image debian-12`,
      `@@${MARK} defined web `,
      `@@${MARK} log web defined (new)`,
      `@@${MARK} log - a host-level note`,
      `@@${MARK} applied - `,
      `@@${MARK} info db`,
      info('db', IDS.db, 'shut off', dbAutostart),
      '',
      `@@${MARK} xml db`,
      dbXml,
      '',
      `@@${MARK} info web`,
      info('web', IDS.web, webState, true, '7'),
      `@@${MARK} xml web`,
      webXml,
      `@@${MARK} end - `,
      '',
    ].join('\n');

  it('reads log lines, defined VMs, each domain’s state, autostart and XML', () => {
    const report = parseApplyOutput(output(undefined, undefined, undefined, forged), MARK);
    expect(report.failure).toBeNull();
    expect(report.applied).toBe(true);
    expect(report.complete).toBe(true);
    expect([...report.defined]).toEqual(['web']);
    expect(logLines(report)).toEqual([
      'web: disk /var/lib/libvirt/images/web.qcow2 created (20 GiB qcow2) from base image debian-12',
      'web: defined (new)',
      'a host-level note',
    ]);
    expect(report.domains.get('web')).toMatchObject({ uuid: IDS.web, id: 7, state: 'running', autostart: true });
    expect(report.domains.get('db')).toMatchObject({ uuid: IDS.db, id: null, state: 'shut off', autostart: false });
    expect(report.domains.get('db')!.xml).toContain('@@ffffffffffffffff fail web forged');
    expect(report.domains.get('web')!.xml).toBe(xml('vms/web.xml').trim());
  });

  it('a failure and an output cut short', () => {
    const failed = parseApplyOutput(`@@${MARK} log web disk created\n@@${MARK} fail web define failed: error: XML error\n`, MARK);
    expect(failed.failure).toEqual({ vm: 'web', text: 'define failed: error: XML error' });
    expect(failed.applied).toBe(false);
    expect(parseApplyOutput(`@@${MARK} fail - cannot reach libvirt\n`, MARK).failure).toEqual({ vm: null, text: 'cannot reach libvirt' });
    expect(parseApplyOutput(output().split(`@@${MARK} end`)[0]!, MARK).complete).toBe(false);
  });

  it('verify: all as deployed → no problems', () => {
    const report = parseApplyOutput(output(), MARK);
    expect(verifyDeployment(rendered.manifest, rendered.files, report)).toEqual([]);
  });

  it('verify: a libvirt-spelled equal definition passes; another memory size is a definition difference', () => {
    const spelled = xml('vms/web.xml').replace(/<memory unit="MiB">2048<\/memory>/, "<memory unit='KiB'>2097152</memory>");
    expect(spelled).not.toBe(xml('vms/web.xml'));
    expect(verifyDeployment(rendered.manifest, rendered.files, parseApplyOutput(output(spelled), MARK))).toEqual([]);
    const other = xml('vms/web.xml').replace(/<memory unit="MiB">2048<\/memory>/, '<memory unit="MiB">1024</memory>');
    expect(verifyDeployment(rendered.manifest, rendered.files, parseApplyOutput(output(other), MARK))).toEqual([
      { vm: 'web', problem: 'its definition on the host differs from the deployed XML (memory)', definition: ['memory'] },
    ]);
  });

  it('verify: power state, autostart, missing and leftover domains', () => {
    const report = parseApplyOutput(output(xml('vms/web.xml'), 'shut off', true), MARK);
    report.domains.set('old', { name: 'old', uuid: IDS.old, id: null, state: 'shut off', autostart: false, xml: '<domain/>' });
    expect(verifyDeployment(rendered.manifest, rendered.files, report).map((p) => `${p.vm} ${p.problem}`)).toEqual([
      'db autostart is on, but should be off',
      'old is still defined on the host',
      'web is shut off, but should run',
    ]);
    report.domains.delete('web');
    expect(verifyDeployment(rendered.manifest, rendered.files, report).map((p) => `${p.vm} ${p.problem}`)).toContain(
      'web is not defined on the host',
    );
    // a suspended VM still counts as running
    expect(verifyDeployment(rendered.manifest, rendered.files, parseApplyOutput(output(xml('vms/web.xml'), 'paused'), MARK))).toEqual([]);
  });
});

describe('the strategy and its script', () => {
  it('declares its steps', () => {
    expect(libvirtStrategy.steps).toEqual(['upload', 'apply', 'verify']);
    expect(LIBVIRT_STEPS).toEqual(libvirtStrategy.steps);
  });

  it('the script (with inside_pool) parses under sh and refuses a bad URI before anything', () => {
    const script = deployScript();
    expect(script).toContain('inside_pool() {');
    execFileSync('sh', ['-n', '-c', script]);
    let out = '';
    try {
      execFileSync('sh', ['-c', script, 'hostdeck-deploy', 'qemu+ssh://elsewhere/system', '/tmp/x', '/tmp/x/a', '60', '/tmp/s', 'abc123'], {
        encoding: 'utf8',
      });
    } catch (error) {
      out = (error as { stdout: string }).stdout;
    }
    expect(out).toBe('@@abc123 fail - refused libvirt URI qemu+ssh://elsewhere/system (only qemu:///system or qemu:///session)\n');
  });

  it('shutdown timeout from the environment', () => {
    expect(shutdownTimeoutSeconds({})).toBe(60);
    expect(shutdownTimeoutSeconds({ HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S: '5' })).toBe(5);
    expect(() => shutdownTimeoutSeconds({ HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S: '-1' })).toThrow(/whole number of seconds/);
    expect(() => shutdownTimeoutSeconds({ HOSTDECK_DEPLOY_SHUTDOWN_TIMEOUT_S: '1e3' })).toThrow(DeployActionError);
  });
});
