// lib/libvirt/import/interfaces — <interface> devices.
//
// Owns: which network interfaces are kept (a bridge, macvtap on a host NIC in
// bridge mode, or a libvirt network; the NIC model — virtio, e1000e, e1000,
// rtl8139, vmxnet3; the MAC as it is), the
// bridges, NICs and libvirt networks they need (HostNeeds), and reporting
// everything else on an interface (VLANs, Open vSwitch ports, bandwidth,
// filters, boot order, MTU, …).
import { ifName, macAddress, NIC_MODELS, objectName, type InterfaceSpec } from '@/lib/spec';
import { childElements, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import type { HostNeeds } from './types';
import { extraAttributes, first } from './xml';

/** Children of an interface that are read above or added by libvirt. */
const READ_PARTS = ['mac', 'source', 'model', 'target', 'alias', 'address'];

/** One <interface> as an interface of the spec, or null when it is not kept. */
export function importInterface(ctx: ImportContext, device: XmlElement, needs: HostNeeds): InterfaceSpec | null {
  const source = first(device, 'source');
  const macText = (first(device, 'mac')?.attributes.address ?? '').toLowerCase();
  const type = source?.attributes.network !== undefined ? 'network' : (device.attributes.type ?? '?');
  const label = NOT_KEPT.interfaces.label(macText, type);
  if (type !== 'bridge' && type !== 'direct' && type !== 'network') {
    ctx.note('interfaces', NOT_KEPT.interfaces.type(type, label));
    return null;
  }
  if (macText === '') {
    ctx.note('interfaces', NOT_KEPT.interfaces.noMac);
    return null;
  }
  if (!macAddress.safeParse(macText).success) {
    ctx.note('interfaces', NOT_KEPT.interfaces.badMac(macText));
    return null;
  }
  const modelType = first(device, 'model')?.attributes.type;
  const known = NIC_MODELS.find((candidate) => candidate === modelType);
  // Without <model> QEMU picks one for the machine; Hostdeck always names one.
  if (known === undefined) ctx.note('interfaces', NOT_KEPT.interfaces.model(label, modelType ?? 'rtl8139'));
  const model = known ?? 'virtio';

  const host = ctx.host;
  let nic: InterfaceSpec;
  if (type === 'bridge') {
    const bridge = source?.attributes.bridge ?? '';
    if (!ifName.safeParse(bridge).success) {
      ctx.note('interfaces', NOT_KEPT.interfaces.bridgeName(label, bridge));
      return null;
    }
    nic = { type: 'bridge', bridge, mac: macText, model, bootRom: true };
    if (!host.network.bridges.some((candidate) => candidate.name === bridge) && !needs.bridges.includes(bridge)) needs.bridges.push(bridge);
    const extras = source ? extraAttributes(source, { bridge: null }) : [];
    if (extras.length > 0) ctx.note('interfaces', NOT_KEPT.interfaces.sourceOptions(label, extras));
  } else if (type === 'direct') {
    const dev = source?.attributes.dev ?? '';
    if (!ifName.safeParse(dev).success) {
      ctx.note('interfaces', NOT_KEPT.interfaces.nicName(label, dev));
      return null;
    }
    const mode = source?.attributes.mode ?? 'vepa';
    if (mode !== 'bridge') ctx.note('interfaces', NOT_KEPT.interfaces.macvtapMode(label, mode));
    nic = { type: 'direct', dev, mac: macText, model, bootRom: true };
    const known = host.network.nics.includes(dev) || host.network.bonds.some((bond) => bond.name === dev);
    if (!known && !needs.nics.includes(dev)) needs.nics.push(dev);
    const extras = source ? extraAttributes(source, { dev: null, mode: null }) : [];
    if (extras.length > 0) ctx.note('interfaces', NOT_KEPT.interfaces.sourceOptions(label, extras));
  } else {
    const network = source?.attributes.network ?? '';
    if (!objectName.safeParse(network).success) {
      ctx.note('interfaces', NOT_KEPT.interfaces.networkName(label, network));
      return null;
    }
    nic = { type: 'network', network, mac: macText, model, bootRom: true };
    if (!host.network.libvirtNetworks.includes(network) && !needs.libvirtNetworks.includes(network)) needs.libvirtNetworks.push(network);
    const extras = source ? extraAttributes(source, { network: null, portid: null, bridge: null }) : [];
    if (extras.length > 0) ctx.note('interfaces', NOT_KEPT.interfaces.networkSourceOptions(label, extras));
  }
  for (const part of childElements(device)) {
    if (READ_PARTS.includes(part.name)) continue;
    if (
      part.name === 'rom' &&
      part.attributes.enabled === 'no' &&
      Object.keys(part.attributes).length === 1 &&
      childElements(part).length === 0
    ) {
      nic.bootRom = false;
      continue;
    }
    ctx.note(part.name === 'boot' ? ['interfaces', 'boot order'] : 'interfaces', NOT_KEPT.interfaces.part(label, part));
  }
  return nic;
}
