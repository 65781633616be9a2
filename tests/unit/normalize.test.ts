// normalizeDomainXml and the XML reader under it. The fixtures in
// tests/golden/libvirt-9.0 are real: domains rendered by Hostdeck, defined on
// libvirt 9.0 (QEMU 7.2) and read back with `virsh dumpxml --inactive` and,
// while running, `virsh dumpxml`:
//   rich     KVM, q35: volume + file/scsi disks, bridge, direct and network
//            interfaces, serial console, guest agent, VNC + SPICE
//   efi-tcg  the same as TCG (type qemu) with UEFI firmware, inactive only
//   tiny     TCG, machine pc, VNC only, one bridge interface
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalMachine, normalizeDomainXml, parseXml, serializeXml, XmlSyntaxError } from '@/lib/libvirt';

const FIXTURES = join(process.cwd(), 'tests/golden/libvirt-9.0');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

describe('normalizeDomainXml on real libvirt output', () => {
  it.each([
    ['rich', ['inactive', 'live']],
    ['efi-tcg', ['inactive']],
    ['tiny', ['inactive', 'live']],
  ])('%s: rendered, inactive and live normalise to the same text', (name, readBacks) => {
    const rendered = normalizeDomainXml(fixture(`${name}.rendered.xml`));
    for (const kind of readBacks) expect(normalizeDomainXml(fixture(`${name}.${kind}.xml`)), `${name}.${kind}`).toBe(rendered);
  });

  it('is idempotent', () => {
    for (const name of ['rich.live.xml', 'tiny.live.xml', 'efi-tcg.inactive.xml']) {
      const once = normalizeDomainXml(fixture(name));
      expect(normalizeDomainXml(once)).toBe(once);
    }
  });

  it('removes what libvirtd adds', () => {
    const normal = normalizeDomainXml(fixture('rich.live.xml'));
    for (const added of [
      'seclabel',
      '<address',
      '<alias',
      'currentMemory',
      'memballoon',
      'emulator',
      'resource',
      'pcie-root',
      'qemu-xhci',
      'ps2',
      'on_poweroff',
      'backingStore',
      'vnet',
      'portid',
      '/dev/pts',
      'placement',
      'isa-serial',
      'port="5900"',
      'heads',
      ' id=',
      'audio',
    ]) {
      expect(normal, added).not.toContain(added);
    }
    expect(normal).toContain('<memory unit="KiB">524288</memory>');
    expect(normal).toContain('machine="q35"');
    expect(normal).toContain('<interface type="network">');
  });

  const base = fixture('rich.live.xml');
  it.each([
    ['memory', base.replace("<memory unit='KiB'>524288</memory>", "<memory unit='KiB'>1048576</memory>")],
    ['vcpus', base.replace("<vcpu placement='static'>2</vcpu>", "<vcpu placement='static'>4</vcpu>")],
    ['disk source', base.replace("volume='web1.qcow2'", "volume='other.qcow2'")],
    ['MAC', base.replace('52:54:00:00:00:01', '52:54:00:00:00:99')],
    ['graphics listen address', base.replace("<listen type='address' address='127.0.0.1'/>", "<listen type='address' address='0.0.0.0'/>")],
    ['description', base.replace('tail  </description>', 'tail</description>')],
    ['tags', base.replace('<hostdeck:tag>prod</hostdeck:tag>', '<hostdeck:tag>dev</hostdeck:tag>')],
    ['machine', base.replace("machine='pc-q35-7.2'", "machine='pc-i440fx-7.2'")],
    ['domain type', base.replace("<domain type='kvm' id='4'>", "<domain type='qemu' id='4'>")],
    ['interface order', swapInterfaces(base)],
  ])('keeps a real change: %s', (_, changed) => {
    expect(changed).not.toBe(base);
    expect(normalizeDomainXml(changed)).not.toBe(normalizeDomainXml(base));
  });

  it('ignores passwords, ports and the order of device kinds', () => {
    const withPassword = base.replace("<graphics type='vnc' port='5900'", "<graphics type='vnc' port='5912' passwd='secret'");
    expect(normalizeDomainXml(withPassword)).toBe(normalizeDomainXml(base));
    const rng = /\n\s*<rng model='virtio'>[\s\S]*?<\/rng>/.exec(base)![0];
    const moved = base.replace(rng, '').replace('<devices>', `<devices>${rng}`);
    expect(normalizeDomainXml(moved)).toBe(normalizeDomainXml(base));
  });

  it('compares memory in any unit and machine aliases by family', () => {
    const domain = (memory: string) => `<domain type='kvm'><name>x</name>${memory}<devices/></domain>`;
    const kib = normalizeDomainXml(domain("<memory unit='KiB'>2097152</memory>"));
    expect(normalizeDomainXml(domain('<memory>2097152</memory>'))).toBe(kib);
    expect(normalizeDomainXml(domain("<memory unit='MiB'>2048</memory>"))).toBe(kib);
    expect(normalizeDomainXml(domain("<memory unit='G'>2</memory>"))).toBe(kib);
    expect(normalizeDomainXml(domain("<memory unit='MB'>2048</memory>"))).not.toBe(kib);
    expect(canonicalMachine('pc-q35-8.2')).toBe('q35');
    expect(canonicalMachine('pc-i440fx-2.12')).toBe('pc');
    expect(canonicalMachine('microvm')).toBe('microvm');
  });

  it('rejects what is not a domain', () => {
    expect(() => normalizeDomainXml('<network/>')).toThrow(/expected a <domain>/);
    expect(() => normalizeDomainXml('<domain><name>x</domain>')).toThrow(XmlSyntaxError);
  });
});

function swapInterfaces(xml: string): string {
  const interfaces = [...xml.matchAll(/\n\s*<interface type='(?:bridge|direct)'>[\s\S]*?<\/interface>/g)].map((m) => m[0]);
  expect(interfaces.length).toBeGreaterThanOrEqual(2);
  return xml.replace(interfaces[0]!, '\u0000').replace(interfaces[1]!, interfaces[0]!).replace('\u0000', interfaces[1]!);
}

describe('parseXml', () => {
  it('decodes entities, character references and CDATA, and normalises line endings', () => {
    const root = parseXml(
      "<?xml version='1.0'?>\n<!DOCTYPE a>\n<!-- c --><a x='1&#10;2&amp;\t3'>t\r\nu &lt;&#x41;&#66;&quot;&apos;<![CDATA[<z>&amp;]]><?pi?><!--x--></a>",
    );
    expect(root.attributes.x).toBe('1\n2& 3');
    expect(root.children).toEqual(['t\nu <AB"\'<z>&amp;']);
  });

  it('resolves namespaces and writes them back', () => {
    const root = parseXml('<a xmlns:h="urn:h"><h:b h:c="1">x</h:b><d xmlns="urn:d"/></a>');
    const [b, d] = root.children as { name: string; namespace: string | null }[];
    expect(b).toMatchObject({ name: 'h:b', namespace: 'urn:h' });
    expect(d).toMatchObject({ name: 'd', namespace: 'urn:d' });
    expect(serializeXml(parseXml('<m><h:vm xmlns:h="urn:h"><h:tag>a &amp; b</h:tag></h:vm></m>'))).toBe(
      '<m>\n  <h:vm xmlns:h="urn:h">\n    <h:tag>a &amp; b</h:tag>\n  </h:vm>\n</m>\n',
    );
  });

  it.each([
    ['<a>', /unterminated element <a>/],
    ['<a></b>', /does not close/],
    ['<a x="1" x="2"/>', /duplicate attribute/],
    ['<a>&nbsp;</a>', /unknown entity/],
    ['<a>&#0;</a>', /invalid character reference/],
    ['<a/><b/>', /content after the root/],
    ['<h:a/>', /undeclared namespace prefix/],
    ['<a x=1/>', /quoted attribute value/],
    ['', /expected the root element/],
  ])('rejects %j with a located message', (xml, message) => {
    expect(() => parseXml(xml)).toThrow(message);
    expect(() => parseXml(xml)).toThrow(/line \d+, column \d+/);
  });
});
