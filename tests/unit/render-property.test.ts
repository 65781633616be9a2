// Property test: generated host specs full of hostile text (quotes, ${…}, '',
// backslashes, newlines, NUL, XML entities and ]]>, shell metacharacters,
// very long and non-ASCII text) in every free-text field and in paths. Each
// spec is either rejected with field-path messages, or rendered into domain
// XML that libvirt's schema accepts and a Nix module that parses and
// evaluates, in which every value reads back exactly (a canary never escapes
// its string). Deterministic rendering is checked on the way.
//
// Seed: fixed when CI is set, random otherwise, printed either way;
// PROPERTY_SEED=n repeats a run, PROPERTY_RUNS=n changes the count (≥1000 by default).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseHostWithVms } from '@/lib/spec';
import { childElements, isElement, ownText, parseXml, xmlText, type XmlElement } from '@/lib/libvirt';
import { renderHost, shellQuote, type RenderedHost } from '@/lib/render';
import { bashSyntaxCheck, evaluateNixModules, parseNixFiles, validateDomainXmlFiles } from '@/tests/helpers/render-tools';

const seed = process.env.PROPERTY_SEED
  ? Number(process.env.PROPERTY_SEED)
  : process.env.CI
    ? 20251121
    : (Date.now() ^ (Math.random() * 0x7fffffff)) >>> 0;
const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
console.log(`render property test: seed ${seed}, ${RUNS} specs (repeat with PROPERTY_SEED=${seed})`);

// ---- generators ---------------------------------------------------------------

const CANARIES = [
  '</description><canary/>',
  ']]><canary/><![CDATA[',
  '&lt;canary/&gt;',
  '<!--canary-->',
  '${builtins.abort "canary"}',
  '\'\'${builtins.abort "canary"}',
  '\'${builtins.abort "canary"}',
  '\\${builtins.abort "canary"}',
  "'; touch /tmp/hostdeck-canary; '",
  '$(touch /tmp/hostdeck-canary)',
  '`touch /tmp/hostdeck-canary`',
  '"; abort "canary',
];
const FRAGMENTS = [
  ...CANARIES,
  '"',
  "'",
  "''",
  "'''",
  '$',
  '${',
  '}',
  '\\',
  '\\\\',
  '\n',
  '\r\n',
  '\r',
  '\t',
  ' ',
  '&',
  '&amp;',
  '&#0;',
  '&#x1;',
  '<',
  '>',
  ']]>',
  ';',
  '|',
  '&&',
  '$(',
  ')',
  '`',
  '*',
  '?',
  '~',
  '#',
  '!',
  'é',
  'ünïcödé',
  '日本語',
  '😀',
  '\u200b',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\ufffe',
  '\uffff',
  '\u0001',
  '\u0007',
  '\u001b[31m',
  '\u007f',
  '\u0085',
];
const RARE_INVALID = ['\u0000', '\ud800', '\udc00x'];

const fragment = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 6, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
);

const validText = fc.oneof(
  { weight: 20, arbitrary: fc.array(fragment, { maxLength: 16 }).map((parts) => parts.join('')) },
  {
    weight: 1,
    arbitrary: fc.tuple(fc.constantFrom('x', 'ü', '😀', "'", '${'), fc.integer({ min: 1000, max: 9000 })).map(([s, n]) => s.repeat(n)),
  },
);
// Mostly accepted text; now and then with NUL or an unpaired surrogate somewhere (rejected).
const hostileText = fc.oneof(
  { weight: 30, arbitrary: validText },
  { weight: 1, arbitrary: fc.tuple(validText, fc.constantFrom(...RARE_INVALID), validText).map((parts) => parts.join('')) },
);
const tagText = fc.oneof(
  { weight: 20, arbitrary: fc.array(fragment, { minLength: 1, maxLength: 4 }).map((parts) => `t${parts.join('')}`) },
  { weight: 1, arbitrary: hostileText },
);

// Path segments: mostly printable hostile characters (accepted), sometimes control characters or "." / ".." (rejected).
const pathSegment = fc.oneof(
  {
    weight: 60,
    arbitrary: fc
      .array(
        fc.constantFrom(
          "'",
          '"',
          '$',
          '${',
          '}',
          '\\',
          ' ',
          ';',
          '|',
          '&',
          '`',
          '(',
          ')',
          '<',
          '>',
          ']]>',
          'é',
          '😀',
          'a',
          'b',
          '-',
          '.',
          "''",
          ...CANARIES.filter((c) => !c.includes('/')),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '', 'a\nb', 'x\u0000', 'tab\there') },
);
const hostilePath = fc.array(pathSegment, { minLength: 1, maxLength: 4 }).map((segments) => `/${segments.join('/')}`);

const goodName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const volumeNameArb = fc.stringMatching(/^[a-z][a-z0-9._-]{0,12}$/);
const maybeHostile = <T>(good: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 40, arbitrary: good as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: hostileText as fc.Arbitrary<unknown> });
const maybeWrongNumber = (good: fc.Arbitrary<number>) =>
  fc.oneof(
    { weight: 60, arbitrary: good as fc.Arbitrary<unknown> },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(-1, 0, 1.5, 1e12, '2', null, Number.MAX_SAFE_INTEGER) },
  );

/** XML 1.0 escaping for text the test puts inside an unmanaged fragment (control characters stay and get the fragment rejected). */
const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// Unmanaged XML: fragments the rules accept (some carrying hostile text), and ones they must refuse.
const domainFragment = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      '<clock offset="localtime"><timer name="rtc" tickpolicy="catchup"/><timer name="hpet" present="no"/></clock>',
      '<pm><suspend-to-mem enabled="no"/><suspend-to-disk enabled="no"/></pm>',
      '<features><acpi/><apic/><vmport state="off"/></features>',
      '<on_crash>restart</on_crash>',
    ),
  },
  {
    weight: 2,
    arbitrary: hostileText.map(
      (text) => `<sysinfo type="smbios"><system><entry name="serial">${escapeXml(text)}</entry></system></sysinfo>`,
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"><qemu:arg value="-x"/></qemu:commandline>',
      '<seclabel type="none"/>',
      '<devices/>',
      '<os><loader>/etc/shadow</loader></os>',
      '<clock',
    ),
  },
);
const deviceFragment = fc.oneof(
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      '<sound model="ich9"/>',
      '<watchdog model="i6300esb" action="reset"/>',
      '<redirdev bus="usb" type="spicevmc"/>',
      '<controller type="usb" model="qemu-xhci" ports="15"/>',
      '<channel type="spicevmc"><target type="virtio" name="com.redhat.spice.0"/></channel>',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '<graphics type="vnc" port="-1"><listen type="address" address="0.0.0.0"/></graphics>',
      '<disk type="file" device="disk"><source file="/etc/shadow"/><target dev="vdz" bus="virtio"/></disk>',
      '<hostdev mode="subsystem" type="pci" managed="yes"/>',
      '<redirdev bus="usb" type="tcp"><source mode="connect" host="192.0.2.1" service="4000"/></redirdev>',
      '<channel type="unix"><source mode="bind" path="/etc/x"/><target type="virtio" name="x.0"/></channel>',
      '<controller type="scsi" model="lsilogic"/>',
    ),
  },
);
const metadataFragment = fc.oneof(
  {
    weight: 20,
    arbitrary: hostileText.map((text) => `<app:x xmlns:app="https://example.org/app">${escapeXml(xmlText(text.toWellFormed()))}</app:x>`),
  },
  { weight: 1, arbitrary: hostileText.map((text) => `<app:x xmlns:app="https://example.org/app">${escapeXml(text)}</app:x>`) },
  { weight: 1, arbitrary: fc.constantFrom('<plain/>', '<hostdeck:vm xmlns:hostdeck="https://hostdeck.dev/xmlns/libvirt-domain/1"/>') },
);

function vmArb(index: number) {
  return fc.record(
    {
      name: maybeHostile(goodName.map((name) => `${name}-${index}`)),
      uuid: fc.uuid({ version: 4 }),
      vcpus: maybeWrongNumber(fc.integer({ min: 1, max: 64 })),
      memoryMiB: maybeWrongNumber(fc.integer({ min: 16, max: 65536 })),
      machine: fc.constantFrom('q35', 'pc', 'pc-q35-7.2'),
      firmware: fc.constantFrom('bios', 'uefi'),
      disks: fc.array(
        fc.record(
          {
            source: fc.oneof(
              fc.record({ type: fc.constant('volume'), pool: fc.constant('default'), volume: volumeNameArb }),
              fc.record({ type: fc.constant('file'), path: hostilePath }),
            ),
            sizeGiB: maybeWrongNumber(fc.integer({ min: 1, max: 4096 })),
            format: fc.constantFrom('qcow2', 'raw'),
            bus: fc.constantFrom('virtio', 'sata', 'scsi'),
            cache: fc.option(
              fc.oneof(
                { weight: 30, arbitrary: fc.constantFrom('none', 'writethrough', 'writeback', 'directsync', 'unsafe') },
                { weight: 1, arbitrary: fc.constant('bogus') },
              ),
              { nil: undefined },
            ),
            discard: fc.option(fc.constantFrom('unmap', 'ignore'), { nil: undefined }),
            io: fc.option(fc.constantFrom('native', 'threads', 'io_uring'), { nil: undefined }),
            baseImage: fc.option(
              fc.oneof({ weight: 20, arbitrary: fc.constant('base') }, { weight: 1, arbitrary: fc.constant('missing-image') }),
              { nil: undefined, freq: 2 },
            ),
          },
          { requiredKeys: ['source', 'sizeGiB'] },
        ),
        { maxLength: 3 },
      ),
      interfaces: fc
        .array(
          fc.oneof(
            { weight: 60, arbitrary: fc.constantFrom('bridge', 'direct', 'network') },
            { weight: 1, arbitrary: fc.constant('bridge-missing') },
          ),
          { maxLength: 3 },
        )
        .map((kinds) =>
          kinds.map((kind, n) => {
            const mac = `52:54:00:00:${index.toString(16).padStart(2, '0')}:${n.toString(16).padStart(2, '0')}`;
            if (kind === 'bridge') return { type: 'bridge', bridge: 'br0', mac };
            if (kind === 'direct') return { type: 'direct', dev: 'eno3', mac };
            if (kind === 'network') return { type: 'network', network: 'default', mac };
            return { type: 'bridge', bridge: 'br9', mac };
          }),
        ),
      graphics: fc.record(
        { vnc: fc.boolean(), spice: fc.boolean(), spiceImageCompression: fc.constantFrom('auto_glz', 'quic', 'off') },
        { requiredKeys: ['vnc', 'spice'] },
      ),
      video: fc.constantFrom('virtio', 'qxl', 'vga', 'bochs', 'cirrus', 'ramfb', 'none'),
      cpu: fc.option(
        fc.oneof(
          fc.record({ mode: fc.constantFrom('host-passthrough', 'host-model', 'maximum') }),
          fc.record({
            mode: fc.constant('custom'),
            model: fc.oneof(
              { weight: 20, arbitrary: fc.constantFrom('qemu64', 'Skylake-Client', 'EPYC') },
              { weight: 1, arbitrary: fc.constant('bad model') },
            ),
          }),
          fc.record({
            mode: fc.constantFrom('host-passthrough', 'host-model'),
            topology: fc.record({
              sockets: fc.integer({ min: 1, max: 2 }),
              cores: fc.integer({ min: 1, max: 4 }),
              threads: fc.integer({ min: 1, max: 2 }),
            }),
          }),
        ),
        { nil: undefined },
      ),
      inputs: fc.option(
        fc.array(fc.record({ type: fc.constantFrom('tablet', 'mouse', 'keyboard'), bus: fc.constantFrom('usb', 'virtio', 'ps2') }), {
          maxLength: 3,
        }),
        { nil: undefined },
      ),
      cdroms: fc.array(
        fc.record(
          {
            source: fc.oneof(
              fc.record({ type: fc.constant('volume'), pool: fc.constant('default'), volume: volumeNameArb }),
              fc.record({ type: fc.constant('file'), path: hostilePath }),
            ),
            bus: fc.constantFrom('sata', 'scsi', 'ide'),
          },
          { requiredKeys: ['bus'] },
        ),
        { maxLength: 1 },
      ),
      rng: fc.boolean(),
      unmanagedXml: fc.record({
        domain: fc.uniqueArray(domainFragment, { maxLength: 2, selector: (fragment) => /^<([\w:-]+)/.exec(fragment)?.[1] ?? fragment }),
        devices: fc.uniqueArray(deviceFragment, { maxLength: 3 }), // libvirt allows one watchdog
        metadata: fc.array(metadataFragment, { maxLength: 2 }),
      }),
      serialConsole: fc.boolean(),
      guestAgent: fc.boolean(),
      tpm: fc.boolean(),
      cloudInit: fc.option(fc.record({ userData: hostileText }), { nil: undefined }),
      autostart: fc.boolean(),
      powerState: fc.constantFrom('running', 'stopped'),
      description: hostileText,
      tags: fc.array(tagText, { maxLength: 3 }),
      remove: fc.constantFrom(false, false, false, true),
    },
    { requiredKeys: ['name', 'uuid', 'vcpus', 'memoryMiB'] },
  );
}

const VM_ARBS = [vmArb(0), vmArb(1), vmArb(2)]; // built once: building arbitraries is expensive

const specArb = fc
  .record({
    flavour: fc.constantFrom('nixos', 'libvirt'),
    poolPath: hostilePath,
    basePath: hostilePath,
    baseDescription: hostileText,
    hostDescription: hostileText,
    vmCount: fc.integer({ min: 1, max: 3 }),
  })
  .chain(({ flavour, poolPath, basePath, baseDescription, hostDescription, vmCount }) =>
    fc.tuple(...VM_ARBS.slice(0, vmCount)).map((vms) => ({
      host: {
        name: 'prop',
        address: 'prop.example.org',
        flavour,
        cpuVendor: 'amd',
        description: hostDescription,
        network: {
          nics: ['eno1', 'eno2', 'eno3'],
          bonds: [{ name: 'bond0', interfaces: ['eno1', 'eno2'], mode: 'active-backup', macAddress: '02:00:00:00:00:01' }],
          bridges: [
            {
              name: 'br0',
              uplink: { kind: 'bond', name: 'bond0' },
              macAddress: '02:00:00:00:00:02',
              ipv4: { dhcp: true },
              ipv6: { slaac: false },
            },
          ],
          libvirtNetworks: ['default'],
        },
        storagePools: [{ name: 'default', path: poolPath }],
        // Base images and disk files lie inside the pool (lib/spec refuses them elsewhere); a third disk stays outside, to be rejected.
        baseImages: [{ name: 'base', path: `${poolPath}${basePath}`, format: 'qcow2', description: baseDescription }],
      },
      vms: vms.map((vm) => ({
        ...vm,
        // A topology matches the vCPUs (else rejected) for even counts.
        vcpus: (() => {
          const t = (vm.cpu as { topology?: { sockets: number; cores: number; threads: number } } | undefined)?.topology;
          return t && typeof vm.vcpus === 'number' && vm.vcpus % 2 === 0 ? t.sockets * t.cores * t.threads : vm.vcpus;
        })(),
        cdroms: (vm.cdroms as { source?: { type: string; path?: string } }[] | undefined)?.map((cdrom, i) =>
          cdrom.source?.type === 'file' && i === 0
            ? { ...cdrom, source: { ...cdrom.source, path: `${poolPath}${cdrom.source.path}` } }
            : cdrom,
        ),
        disks: (vm.disks as { source: { type: string; path?: string } }[] | undefined)?.map((disk, i) =>
          disk.source.type === 'file' && i < 2 ? { ...disk, source: { ...disk.source, path: `${poolPath}${disk.source.path}` } } : disk,
        ),
      })),
    })),
  );

// ---- checks inside the process -----------------------------------------------

const RENDERED_ELEMENTS = new Set([
  'domain',
  'name',
  'uuid',
  'description',
  'metadata',
  'hostdeck:vm',
  'hostdeck:tag',
  'memory',
  'vcpu',
  'os',
  'type',
  'boot',
  'features',
  'acpi',
  'apic',
  'cpu',
  'clock',
  'devices',
  'disk',
  'driver',
  'source',
  'target',
  'readonly',
  'controller',
  'interface',
  'mac',
  'model',
  'serial',
  'console',
  'channel',
  'input',
  'tpm',
  'backend',
  'graphics',
  'listen',
  'video',
  'rng',
  'image',
  'topology',
  // from the unmanaged XML the generator accepts
  'timer',
  'pm',
  'suspend-to-mem',
  'suspend-to-disk',
  'vmport',
  'on_crash',
  'sysinfo',
  'system',
  'entry',
  'sound',
  'watchdog',
  'redirdev',
  'app:x',
]);

function allElements(element: XmlElement): XmlElement[] {
  return [element, ...element.children.filter(isElement).flatMap(allElements)];
}

/** The XML holds exactly the spec's free text (after the XML 1.0 mapping) and nothing but the elements Hostdeck writes. */
function checkXml(xml: string, vm: { description: string; tags: string[] }): void {
  const root = parseXml(xml);
  for (const element of allElements(root)) expect(RENDERED_ELEMENTS.has(element.name), `unexpected <${element.name}>`).toBe(true);
  const description = childElements(root).find((child) => child.name === 'description');
  expect(description ? ownText(description) : '').toBe(xmlText(vm.description).replace(/\r\n?/g, '\n'));
  const meta = childElements(childElements(root).find((child) => child.name === 'metadata')!)[0]!;
  expect(childElements(meta).map(ownText)).toEqual(vm.tags.map(xmlText));
  for (const listen of allElements(root).filter((element) => element.name === 'listen'))
    expect(listen.attributes.address).toBe('127.0.0.1');
}

function resolvable(input: unknown, path: string): boolean {
  // The path's parent must exist in the input (the field itself may be missing).
  const keys = [...path.matchAll(/([A-Za-z_$][A-Za-z0-9_$]*)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]/g)].map(
    (m) => m[1] ?? (m[2] !== undefined ? Number(m[2]) : JSON.parse(`"${m[3]}"`)),
  );
  let node: unknown = input;
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return false;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node !== null && typeof node === 'object';
}

// ---- the test -------------------------------------------------------------------

interface Accepted {
  dir: string;
  rendered: RenderedHost;
  paths: string[];
}

describe('render property test', () => {
  it(`${RUNS} generated specs: rejected with field paths, or rendered into valid XML and Nix that reads back exactly`, async () => {
    const root = mkdtempSync(join(tmpdir(), 'hostdeck-property-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    const accepted: Accepted[] = [];
    let rejected = 0;
    let runIndex = 0;

    fc.assert(
      fc.property(specArb, (spec) => {
        const result = parseHostWithVms(spec);
        if (!result.ok) {
          rejected++;
          expect(result.issues.length).toBeGreaterThan(0);
          for (const issue of result.issues) {
            expect(issue.path, JSON.stringify(issue)).toMatch(/^(host|vms)\b/);
            expect(issue.message.length).toBeGreaterThan(0);
            expect(resolvable(spec, issue.path), issue.path).toBe(true);
          }
          return;
        }
        const rendered = renderHost(result.value);
        expect(renderHost(result.value)).toEqual(rendered); // deterministic
        for (const vm of result.value.vms.filter((candidate) => !candidate.remove)) {
          checkXml(rendered.files.find((file) => file.path === `vms/${vm.name}.xml`)!.content, vm);
          if (vm.cloudInit)
            expect(rendered.files.find((file) => file.path === `cloud-init/${vm.name}/user-data`)!.content).toBe(vm.cloudInit.userData);
        }
        const dir = join(root, String(runIndex++));
        for (const file of rendered.files) {
          mkdirSync(dirname(join(dir, file.path)), { recursive: true });
          writeFileSync(join(dir, file.path), file.content);
        }
        const paths = [
          result.value.host.storagePools[0]!.path,
          ...result.value.vms.flatMap((vm) =>
            vm.disks.flatMap((disk) => (disk.source.type === 'file' && !vm.remove ? [disk.source.path] : [])),
          ),
          ...(result.value.vms.some((vm) => !vm.remove && vm.disks.some((disk) => disk.baseImage))
            ? [result.value.host.baseImages[0]!.path]
            : []),
        ];
        accepted.push({ dir, rendered, paths });
      }),
      { numRuns: RUNS, seed },
    );

    // Both outcomes must be exercised.
    expect(accepted.length, 'accepted specs').toBeGreaterThan(RUNS * 0.2);
    expect(rejected, 'rejected specs').toBeGreaterThan(RUNS * 0.1);

    // libvirt's schema on every domain XML.
    const xmlFiles = accepted.flatMap((entry) =>
      entry.rendered.files.filter((file) => file.path.endsWith('.xml')).map((file) => join(entry.dir, file.path)),
    );
    expect(await validateDomainXmlFiles(xmlFiles)).toEqual([]);

    // Every Nix module parses, evaluates, and each spec path reaches the shell as exactly one quoted word.
    const nixos = accepted.filter((entry) => entry.rendered.manifest.host.flavour === 'nixos');
    const modules = nixos.map((entry) => join(entry.dir, 'default.nix'));
    expect(await parseNixFiles(modules)).toEqual([]);
    const evaluated = await evaluateNixModules(modules);
    const scripts: { name: string; script: string }[] = [];
    evaluated.forEach((module, index) => {
      const all = Object.values(module.scripts).join('\n');
      for (const path of nixos[index]!.paths) expect(all, path).toContain(shellQuote(path));
      expect(all).not.toContain('hostdeck-canary\n');
      for (const [name, script] of Object.entries(module.scripts)) scripts.push({ name: `${nixos[index]!.dir}:${name}`, script });
    });
    expect(await bashSyntaxCheck(scripts)).toEqual([]);
    console.log(
      `render property test: ${accepted.length} rendered (${nixos.length} NixOS, ${xmlFiles.length} domain XML files, ${scripts.length} scripts), ${rejected} rejected`,
    );
  }, 180_000);
});
