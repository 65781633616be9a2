// lib/render/nix-module — spec → the NixOS module of one host
// (/etc/nixos/hostdeck/default.nix, imported once by the host's configuration).
//
// Owns: what a NixOS host gets from Hostdeck:
// - virtualisation.libvirtd (enabled; guests shut down with the host; libvirt
//   itself starts only domains marked autostart, so onBoot = "ignore"; swtpm
//   only when a guest has a TPM; no qemu.ovmf — firmware is autoselected);
// - boot.kernelModules kvm-intel or kvm-amd;
// - bonds and bridges with fixed MACs, IPv4/IPv6 settings;
// - storage pools (service hostdeck-pools: defined, built, started when missing);
// - one oneshot service per guest (hostdeck-guest-<name>), after the classic
//   "declarative libvirt guests" pattern: creates missing disks (volume:
//   `virsh vol-create-as` then `qemu-img convert -n` from the base image;
//   file: `qemu-img create` then convert), installs the cloud-init seed ISO
//   (built in Nix from ./cloud-init/<name>), defines the domain from
//   ./vms/<name>.xml (its UUID is in the XML, so it stays stable; libvirt
//   refuses a same-named domain with another UUID), sets autostart, and
//   starts or stops it as desired — but only when the definition or the
//   desired state changed since the last run (a stamp file holds their hash).
//   A running guest is never restarted: a new definition applies at its next
//   boot, and the plan tells the operator a restart is needed. Stopping the
//   service leaves the guest alone.
// - one oneshot per guest marked `remove` (hostdeck-remove-<name>): shuts it
//   down (destroy after 60 s), undefines it if its UUID matches, and deletes
//   its disks only when `deleteDisks` is set.
//
// All spec-derived values are Nix data (written by ./nix-value, escaped by
// ./nix-escape); the fixed code below only reads them and quotes them for the
// shell with lib.escapeShellArg.
import type { HostSpec, VmSpec } from '@/lib/spec';
import { renderDomainXml, type DomainXmlOptions } from '@/lib/libvirt';
import { sha256Hex } from './hash';
import { cloudInitDir, HOST_STATE_DIR, SEED_DIR, vmXmlFile } from './layout';
import { nixAttrName, nixString } from './nix-escape';
import { NixPath, nixValue, type NixData } from './nix-value';

/** A disk as the module's Nix data: a pool volume or an image file, with what creating it needs. */
type VolumeData = { pool: string; name: string; capacityGiB: number; format: string; baseImage: NixData };
type FileData = { path: string; capacityGiB: number; format: string; baseImage: NixData };

function baseImageData(host: HostSpec, name: string | undefined): NixData {
  if (name === undefined) return null;
  const image = host.baseImages.find((candidate) => candidate.name === name);
  if (!image) throw new Error(`base image ${name} is not defined on host ${host.name}`);
  return { path: image.path, format: image.format };
}

function volumesOf(host: HostSpec, vm: VmSpec): VolumeData[] {
  return vm.disks.flatMap((disk) =>
    disk.source.type === 'volume'
      ? [
          {
            pool: disk.source.pool,
            name: disk.source.volume,
            capacityGiB: disk.sizeGiB,
            format: disk.format,
            baseImage: baseImageData(host, disk.baseImage),
          },
        ]
      : [],
  );
}

function filesOf(host: HostSpec, vm: VmSpec): FileData[] {
  return vm.disks.flatMap((disk) =>
    disk.source.type === 'file'
      ? [{ path: disk.source.path, capacityGiB: disk.sizeGiB, format: disk.format, baseImage: baseImageData(host, disk.baseImage) }]
      : [],
  );
}

/** What the guest service compares before acting: the definition and the desired state. */
export function guestStamp(xml: string, vm: VmSpec): string {
  return sha256Hex(`${sha256Hex(xml)}\n${vm.powerState}\n${vm.autostart ? 'autostart' : 'no-autostart'}\n`);
}

function byName<T extends { name: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function networkingData(host: HostSpec) {
  const { bonds, bridges } = host.network;
  const bondsData: Record<string, NixData> = {};
  const bridgesData: Record<string, NixData> = {};
  const interfacesData: Record<string, Record<string, NixData>> = {};
  const sysctl: Record<string, NixData> = {};
  for (const bond of byName(bonds)) {
    bondsData[bond.name] = {
      interfaces: bond.interfaces,
      driverOptions: { mode: bond.mode, miimon: String(bond.miimon) },
    };
    interfacesData[bond.name] = { macAddress: bond.macAddress };
  }
  for (const bridge of byName(bridges)) {
    bridgesData[bridge.name] = { interfaces: bridge.uplink ? [bridge.uplink.name] : [], rstp: bridge.stp };
    const settings: Record<string, NixData> = {};
    if (bridge.macAddress) settings.macAddress = bridge.macAddress;
    if (bridge.ipv4) {
      settings.useDHCP = bridge.ipv4.dhcp;
      settings['ipv4.addresses'] = bridge.ipv4.addresses.map((a) => ({ address: a.address, prefixLength: a.prefixLength }));
    }
    if (bridge.ipv6) {
      settings['ipv6.addresses'] = bridge.ipv6.addresses.map((a) => ({ address: a.address, prefixLength: a.prefixLength }));
      settings.tempAddress = bridge.ipv6.tempAddress;
      if (!bridge.ipv6.slaac) {
        sysctl[`net.ipv6.conf.${bridge.name}.autoconf`] = 0;
        sysctl[`net.ipv6.conf.${bridge.name}.accept_ra`] = 0;
      }
    }
    if (Object.keys(settings).length > 0) interfacesData[bridge.name] = settings;
  }
  return { bondsData, bridgesData, interfacesData, sysctl };
}

/** Attribute set whose keys may contain dots meant as nesting (`ipv4.addresses`), printed flat. */
function interfacesNix(interfaces: Record<string, Record<string, NixData>>, indent: number): string {
  const names = Object.keys(interfaces);
  if (names.length === 0) return '{ }';
  const pad = '  '.repeat(indent + 1);
  const inner = '  '.repeat(indent + 2);
  const blocks = names.map((name) => {
    const settings = interfaces[name]!;
    // Keys are fixed option paths written by networkingData (useDHCP, ipv4.addresses, ...), never spec values.
    const lines = Object.keys(settings).map((key) => `${inner}${key} = ${nixValue(settings[key]!, indent + 2)};\n`);
    return `${pad}${nixAttrName(name)} = {\n${lines.join('')}${pad}};\n`;
  });
  return `{\n${blocks.join('')}${'  '.repeat(indent)}}`;
}

export interface NixModuleOptions extends DomainXmlOptions {
  /** Domain XML per VM name, when already rendered (must equal renderDomainXml's output). */
  xmlByVm?: ReadonlyMap<string, string>;
}

/** The NixOS module for a host and its VMs. Deterministic: same input, same bytes. */
export function renderNixModule(host: HostSpec, vms: readonly VmSpec[], options: NixModuleOptions = {}): string {
  const active = byName(vms.filter((vm) => !vm.remove));
  const removed = byName(vms.filter((vm) => vm.remove));
  const xmlOf = (vm: VmSpec) => options.xmlByVm?.get(vm.name) ?? renderDomainXml(host, vm, options);

  const guests: Record<string, NixData> = {};
  for (const vm of active) {
    guests[vm.name] = {
      uuid: vm.uuid,
      xml: new NixPath(`./${vmXmlFile(vm.name)}`),
      stamp: guestStamp(xmlOf(vm), vm),
      powerState: vm.powerState,
      autostart: vm.autostart,
      volumes: volumesOf(host, vm),
      files: filesOf(host, vm),
      seed: vm.cloudInit ? new NixPath(`./${cloudInitDir(vm.name)}`) : null,
    };
  }
  const removedGuests: Record<string, NixData> = {};
  for (const vm of removed) {
    removedGuests[vm.name] = {
      uuid: vm.uuid,
      uefi: vm.firmware === 'uefi',
      deleteDisks: vm.deleteDisks,
      volumes: vm.deleteDisks ? volumesOf(host, vm).map(({ pool, name }) => ({ pool, name })) : [],
      files: vm.deleteDisks ? filesOf(host, vm).map(({ path }) => path) : [],
    };
  }
  const pools = byName(host.storagePools).map((pool) => ({ name: pool.name, type: pool.type, path: pool.path }));
  const { bondsData, bridgesData, interfacesData, sysctl } = networkingData(host);
  const swtpm = active.some((vm) => vm.tpm);
  const kvmModule = host.cpuVendor === 'intel' ? 'kvm-intel' : 'kvm-amd';

  return `# Generated by Hostdeck for host ${host.name}. Do not edit: change the host in
# Hostdeck, review the plan and deploy. Imported once from configuration.nix
# (imports = [ ./hostdeck ];). The domain XML files are in ./vms.
{ config, lib, pkgs, ... }:

let
  # ---- data from the Hostdeck spec ------------------------------------------
  libvirtUri = ${nixString(host.libvirtUri)};
  stateDir = ${nixString(HOST_STATE_DIR)};
  seedDir = ${nixString(SEED_DIR)};

  pools = ${nixValue(pools, 1)};

  guests = ${nixValue(guests, 1)};

  removedGuests = ${nixValue(removedGuests, 1)};

  # ---- fixed code ---------------------------------------------------------------
  esc = lib.escapeShellArg;
  virsh = "\${config.virtualisation.libvirtd.package}/bin/virsh --connect \${esc libvirtUri}";
  qemuImg = "\${config.virtualisation.libvirtd.qemu.package}/bin/qemu-img";

  createVolume = vol: ''
    if ! \${virsh} vol-info --pool \${esc vol.pool} \${esc vol.name} >/dev/null 2>&1; then
      \${virsh} vol-create-as --pool \${esc vol.pool} --name \${esc vol.name} --capacity \${esc "\${toString vol.capacityGiB}G"} --format \${esc vol.format}
      \${lib.optionalString (vol.baseImage != null) ''
        \${qemuImg} convert -n -f \${esc vol.baseImage.format} -O \${esc vol.format} -- \${esc vol.baseImage.path} "$(\${virsh} vol-path --pool \${esc vol.pool} \${esc vol.name})"
      ''}
    fi
  '';

  createFile = file: ''
    if [ ! -e \${esc file.path} ]; then
      mkdir -p "$(dirname \${esc file.path})"
      \${qemuImg} create -f \${esc file.format} -- \${esc file.path} \${esc "\${toString file.capacityGiB}G"}
      \${lib.optionalString (file.baseImage != null) ''
        \${qemuImg} convert -n -f \${esc file.baseImage.format} -O \${esc file.format} -- \${esc file.baseImage.path} \${esc file.path}
      ''}
    fi
  '';

  seedIso = name: dir: pkgs.runCommand "hostdeck-seed-\${name}.iso" { nativeBuildInputs = [ pkgs.cdrkit ]; } ''
    genisoimage -output "$out" -volid cidata -joliet -rock \${dir}/user-data \${dir}/meta-data
  '';

  oneshot = description: needs: script: {
    inherit description script;
    after = [ "network.target" ] ++ needs;
    requires = needs;
    wantedBy = [ "multi-user.target" ];
    path = [ pkgs.coreutils pkgs.gnugrep ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
  };

  guestNeeds = [ "libvirtd.service" "hostdeck-pools.service" ];

  poolsService = oneshot "Hostdeck storage pools" [ "libvirtd.service" ] ''
    set -euo pipefail
    \${lib.concatMapStrings (pool: ''
      if ! \${virsh} pool-info \${esc pool.name} >/dev/null 2>&1; then
        \${virsh} pool-define-as \${esc pool.name} \${esc pool.type} --target \${esc pool.path}
        \${virsh} pool-build \${esc pool.name}
        \${virsh} pool-autostart \${esc pool.name}
      fi
      if ! \${virsh} pool-list --name | grep -qxF -- \${esc pool.name}; then
        \${virsh} pool-start \${esc pool.name}
      fi
    '') pools}
  '';

  guestService = name: guest: lib.nameValuePair "hostdeck-guest-\${name}" (oneshot "Hostdeck guest \${name}" guestNeeds ''
    set -euo pipefail
    name=\${esc name}
    stamp=\${esc "\${stateDir}/guests/\${name}.stamp"}
    want=\${esc guest.stamp}
    \${lib.concatMapStrings createVolume guest.volumes}
    \${lib.concatMapStrings createFile guest.files}
    \${lib.optionalString (guest.seed != null) ''
      install -D -m 0644 \${seedIso name guest.seed} \${esc "\${seedDir}/\${name}.iso"}
    ''}
    if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ] && \${virsh} domuuid "$name" >/dev/null 2>&1; then
      echo "$name: definition and desired state unchanged"
      exit 0
    fi
    \${virsh} define \${esc "\${guest.xml}"}
    \${if guest.autostart then ''\${virsh} autostart "$name"'' else ''\${virsh} autostart --disable "$name"''}
    state="$(\${virsh} domstate "$name")"
    \${if guest.powerState == "running" then ''
      if [ "$state" = "shut off" ]; then \${virsh} start "$name"; fi
    '' else ''
      if [ "$state" = "running" ]; then \${virsh} shutdown "$name"; fi
    ''}
    mkdir -p "$(dirname "$stamp")"
    printf '%s\\n' "$want" > "$stamp"
  '');

  removalService = name: guest: lib.nameValuePair "hostdeck-remove-\${name}" (oneshot "Hostdeck: remove guest \${name}" guestNeeds ''
    set -euo pipefail
    name=\${esc name}
    if [ "$(\${virsh} domuuid "$name" 2>/dev/null || true)" = \${esc guest.uuid} ]; then
      if [ "$(\${virsh} domstate "$name")" != "shut off" ]; then
        \${virsh} shutdown "$name" || true
        for _ in $(seq 1 60); do
          if [ "$(\${virsh} domstate "$name")" = "shut off" ]; then break; fi
          sleep 1
        done
        if [ "$(\${virsh} domstate "$name")" != "shut off" ]; then \${virsh} destroy "$name"; fi
      fi
      \${virsh} undefine \${lib.optionalString guest.uefi "--nvram"} "$name"
    fi
    \${lib.concatMapStrings (vol: ''
      if \${virsh} vol-info --pool \${esc vol.pool} \${esc vol.name} >/dev/null 2>&1; then
        \${virsh} vol-delete --pool \${esc vol.pool} \${esc vol.name}
      fi
    '') guest.volumes}
    \${lib.concatMapStrings (path: ''
      rm -f -- \${esc path}
    '') guest.files}
    rm -f -- \${esc "\${stateDir}/guests/\${name}.stamp"} \${esc "\${seedDir}/\${name}.iso"}
  '');
in
{
  boot.kernelModules = [ ${nixString(kvmModule)} ];

  virtualisation.libvirtd = {
    enable = true;
    onBoot = "ignore";
    onShutdown = "shutdown";${swtpm ? '\n    qemu.swtpm.enable = true;' : ''}
  };

  networking.bonds = ${nixValue(bondsData, 1)};
  networking.bridges = ${nixValue(bridgesData, 1)};
  networking.interfaces = ${interfacesNix(interfacesData, 1)};
  boot.kernel.sysctl = ${nixValue(sysctl, 1)};

  systemd.tmpfiles.rules = [
    "d \${stateDir} 0750 root root -"
    "d \${stateDir}/guests 0750 root root -"
    "d \${seedDir} 0755 root root -"
  ];

  systemd.services =
    { hostdeck-pools = poolsService; }
    // lib.mapAttrs' guestService guests
    // lib.mapAttrs' removalService removedGuests;
}
`;
}
