// lib/render/layout — where rendered files live, relative to a host's
// Hostdeck folder, and the fixed folders on the host.
//
// On NixOS hosts the folder is /etc/nixos/hostdeck (the module is its
// default.nix, imported once from configuration.nix); on plain libvirt hosts
// the deployment keeps the same layout in its own state folder. VM names are
// restricted by lib/spec, so they are safe in paths and Nix path literals.
import { SEED_DIR } from '@/lib/spec';

export const NIXOS_MODULE_DIR = '/etc/nixos/hostdeck';
export const NIX_MODULE_FILE = 'default.nix';
export const MANIFEST_FILE = 'manifest.json';
/** State kept on the host by the generated services (definition stamps). */
export const HOST_STATE_DIR = '/var/lib/hostdeck';
export { SEED_DIR };

export function vmXmlFile(vmName: string): string {
  return `vms/${vmName}.xml`;
}

export function cloudInitDir(vmName: string): string {
  return `cloud-init/${vmName}`;
}

export function cloudInitFile(vmName: string, part: 'user-data' | 'meta-data'): string {
  return `${cloudInitDir(vmName)}/${part}`;
}

/** The VM name of a `vms/<name>.xml` path, or null. */
export function vmNameOfXmlFile(path: string): string | null {
  const match = /^vms\/([a-z][a-z0-9-]*)\.xml$/.exec(path);
  return match ? match[1]! : null;
}
