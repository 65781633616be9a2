// lib/libvirt/import/consoles — <serial>, <console> and <channel> devices.
//
// Owns: the serial console Hostdeck renders (one pty serial port 0 with its
// console) and the QEMU guest-agent channel (unix socket, virtio target
// org.qemu.guest_agent.0); other serial ports, consoles and channels (SPICE
// agent, vdagent, …) are kept as unmanaged XML when lib/spec allows, else reported.
import { GUEST_AGENT_CHANNEL } from '../domain-xml';
import { childElements, type XmlElement } from '../xml-tree';
import type { ImportContext } from './context';
import { NOT_KEPT } from './not-kept';
import { extraAttributes, first, show } from './xml';

/** The first <serial>: whether it becomes the VM's serial console (always, with notes on what changes). */
export function importSerial(ctx: ImportContext, device: XmlElement): boolean {
  const target = first(device, 'target');
  const port = target?.attributes.port ?? '0';
  if (device.attributes.type !== 'pty') {
    ctx.note('serial console', NOT_KEPT.consoles.serialNotPty(device));
    return true;
  }
  if (port !== '0') ctx.note('serial console', NOT_KEPT.consoles.serialPort(port));
  if (target) {
    const extras = extraAttributes(target, { port: null, type: 'isa-serial' });
    const model = first(target, 'model');
    if (model && model.attributes.name !== 'isa-serial') extras.push(`model=${show(model.attributes.name ?? '?')}`);
    if (extras.length > 0) ctx.note('serial console', NOT_KEPT.consoles.serialSettings(extras));
  }
  for (const part of childElements(device)) {
    if (['source', 'target', 'alias', 'address'].includes(part.name)) continue;
    ctx.note('serial console', NOT_KEPT.consoles.serialPart(part));
  }
  return true;
}

export function importConsole(ctx: ImportContext, device: XmlElement): void {
  const target = first(device, 'target');
  const targetType = target?.attributes.type ?? 'serial';
  if (targetType !== 'serial' || (target?.attributes.port ?? '0') !== '0')
    ctx.note('serial console', NOT_KEPT.consoles.console(targetType, device));
}

/** Whether a <channel> is the guest-agent channel (other channels are noted). */
export function importChannel(ctx: ImportContext, device: XmlElement): boolean {
  const target = first(device, 'target');
  const name = target?.attributes.name;
  if (device.attributes.type === 'unix' && target?.attributes.type === 'virtio' && name === GUEST_AGENT_CHANNEL) {
    const source = first(device, 'source');
    const path = source?.attributes.path;
    if (source && (source.attributes.mode ?? 'bind') !== 'bind')
      ctx.note('guest agent', NOT_KEPT.consoles.agentMode(source.attributes.mode ?? '?'));
    else if (path !== undefined && !path.includes('/channel/target/')) ctx.note('guest agent', NOT_KEPT.consoles.agentPath(path));
    return true;
  }
  // Other channels (the SPICE agent's spicevmc, …) are kept as they are when the rules allow.
  ctx.carry('devices', device, 'guest agent', NOT_KEPT.consoles.channel(device, name));
  return false;
}
