// lib/spec unmanaged-xml: the rules for the XML a VM carries unmodelled.
// Well-formed single elements only, size-limited, never an element Hostdeck
// manages, and nothing that reaches the host's files, devices or network or
// lets a display listen beyond 127.0.0.1.
import { describe, expect, it } from 'vitest';
import { UNMANAGED_FRAGMENT_MAX, UNMANAGED_FRAGMENTS_MAX, unmanagedFragmentProblem, vmSpecSchema } from '@/lib/spec';

const vm = (unmanagedXml: object) =>
  vmSpecSchema.safeParse({ name: 'a', uuid: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', vcpus: 1, memoryMiB: 64, unmanagedXml });

describe('accepted', () => {
  it.each([
    ['domain', '<clock offset="localtime"><timer name="rtc" tickpolicy="catchup"/></clock>'],
    ['domain', '<features><acpi/><apic/><hyperv mode="custom"><relaxed state="on"/></hyperv></features>'],
    ['domain', '<pm><suspend-to-mem enabled="no"/></pm>'],
    ['domain', '<on_crash>restart</on_crash>'],
    ['devices', '<sound model="ich9"/>'],
    ['devices', '<redirdev bus="usb" type="spicevmc"/>'],
    ['devices', '<channel type="spicevmc"><target type="virtio" name="com.redhat.spice.0"/></channel>'],
    ['devices', '<controller type="usb" model="ich9-uhci1"><master startport="0"/></controller>'],
    ['devices', '<watchdog model="itco" action="reset"/>'],
    [
      'metadata',
      '<libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0"><libosinfo:os id="x"/></libosinfo:libosinfo>',
    ],
  ] as const)('%s: %s', (where, fragment) => {
    expect(unmanagedFragmentProblem(where, fragment)).toBeNull();
  });
});

describe('refused, with the reason', () => {
  it.each([
    ['devices', '<graphics type="vnc"><listen type="address" address="0.0.0.0"/></graphics>', /<graphics> cannot be carried/],
    ['devices', '<disk type="file" device="disk"><source file="/etc/shadow"/></disk>', /<disk> cannot be carried/],
    ['devices', '<filesystem type="mount"><source dir="/"/><target dir="root"/></filesystem>', /<filesystem> cannot be carried/],
    ['devices', '<hostdev mode="subsystem" type="pci"/>', /<hostdev> cannot be carried/],
    ['devices', '<interface type="user"/>', /<interface> cannot be carried/],
    ['devices', '<serial type="file"><source path="/etc/passwd"/></serial>', /<serial> cannot be carried/],
    ['devices', '<redirdev bus="usb" type="tcp"><source mode="connect" host="192.0.2.1" service="4000"/></redirdev>', /over SPICE/],
    [
      'devices',
      '<channel type="unix"><source mode="bind" path="/tmp/x"/><target type="virtio" name="x"/></channel>',
      /SPICE agent channels/,
    ],
    [
      'devices',
      '<channel type="spicevmc"><target type="virtio" name="org.qemu.guest_agent.0"/></channel>',
      /guest agent channel is managed/,
    ],
    ['devices', '<controller type="scsi" model="lsilogic"/>', /SCSI controller is managed/],
    ['devices', '<audio id="1" type="file" path="/tmp/a.wav"/>', /only audio of type none or spice/],
    ['devices', '<watchdog model="itco"><x file="/etc/shadow"/></watchdog>', /attribute file .* resource of the host/],
    ['domain', '<qemu:commandline xmlns:qemu="http://libvirt.org/schemas/domain/qemu/1.0"/>', /cannot be carried/],
    ['domain', '<seclabel type="none"/>', /<seclabel> cannot be carried/],
    ['domain', '<os><loader>/etc/shadow</loader></os>', /<os> cannot be carried/],
    ['domain', '<memoryBacking><source type="file"/></memoryBacking>', /<source> would reach/],
    ['domain', '<features><x:y xmlns:x="urn:x"/></features>', /another XML namespace/],
    ['domain', '<clock', /not well-formed/],
    ['domain', '<pm/><pm/>', /not well-formed/],
    ['domain', '<!DOCTYPE d [<!ENTITY a "b">]><pm/>', /plain element/],
    ['domain', '<sysinfo type="smbios"><system><entry name="serial">\u0007</entry></system></sysinfo>', /characters XML 1\.0 cannot carry/],
    [
      'domain',
      `<sysinfo type="smbios"><system><entry name="x">${'x'.repeat(UNMANAGED_FRAGMENT_MAX)}</entry></system></sysinfo>`,
      /longer than/,
    ],
    ['metadata', '<plain/>', /namespace of its own/],
    ['metadata', '<hostdeck:vm xmlns:hostdeck="https://hostdeck.dev/xmlns/libvirt-domain/1"/>', /managed by Hostdeck/],
  ] as const)('%s: %s', (where, fragment, reason) => {
    expect(unmanagedFragmentProblem(where, fragment)).toMatch(reason);
  });
});

describe('in the VM schema', () => {
  it('names the fragment by its path', () => {
    const parsed = vm({ devices: ['<sound model="ich9"/>', '<graphics type="vnc"/>'] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((issue) => issue.path.join('.'))).toEqual(['unmanagedXml.devices.1']);
  });

  it('limits the count', () => {
    expect(vm({ devices: Array(UNMANAGED_FRAGMENTS_MAX + 1).fill('<sound model="ich9"/>') }).success).toBe(false);
    expect(vm({ devices: Array(UNMANAGED_FRAGMENTS_MAX).fill('<sound model="ich9"/>') }).success).toBe(true);
  });

  it('defaults to nothing', () => {
    expect(vm({}).data?.unmanagedXml).toEqual({ domain: [], devices: [], metadata: [] });
  });
});
