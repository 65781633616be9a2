#!/usr/bin/env bash
# scripts/lab/nixos-rebuild-standin.sh — a LAB STAND-IN for `nixos-rebuild`. Not NixOS.
#
# Lab hosts are Debian in namespaces (scripts/lab.sh). `scripts/lab.sh
# nixos-standin N` installs this script as /usr/local/bin/nixos-rebuild inside
# lab host N only, with a /nix of that host's own (owned by the lab user:
# single-user Nix from Debian's nix-bin), so Hostdeck's NixOS strategy
# (lib/deploy/strategies/nixos.ts) and its switch-back watcher run against it
# unchanged: real Nix profile generations, switch, dry-activate, rollback.
#
# What it does, and how NixOS differs:
# - building: NixOS evaluates /etc/nixos/configuration.nix and builds the whole
#   system. Here configuration.nix and the module are only parsed
#   (nix-instantiate --parse); the "system" is a folder holding a copy of
#   /etc/nixos/hostdeck (when configuration.nix imports ./hostdeck) and this
#   script as bin/switch-to-configuration, added to the store with
#   `nix-store --add` (same content, same store path).
# - the profile: /nix/var/nix/profiles/system as on NixOS, set with
#   `nix-env -p … --set`: a new generation whenever the content changed.
# - activation (the generation's bin/switch-to-configuration switch): NixOS
#   starts the module's hostdeck-guest-* / hostdeck-remove-* systemd units.
#   Here the guests of the generation's manifest.json are applied with virsh
#   directly: every VM's XML is defined, autostart set, a VM desired running
#   started, one desired stopped destroyed (the lab's guests have no OS to shut
#   down), a VM marked `remove` destroyed and undefined. No disk is ever
#   created or deleted, no bridge, pool or other NixOS setting applied.
#   dry-activate prints the units NixOS would start or restart.
#
#   nixos-rebuild switch [--rollback] | test | boot | build | dry-build | dry-activate | list-generations
#   switch-to-configuration switch | test | dry-activate      (a generation's copy)
set -euo pipefail

PROFILE=/nix/var/nix/profiles/system
CONFIG_DIR=/etc/nixos
VIRSH=(virsh -q -c qemu:///system)
self="$(readlink -f "${BASH_SOURCE[0]}")"

die() { printf '%s (hostdeck lab stand-in): %s\n' "${0##*/}" "$*" >&2; exit 1; }
say() { printf '%s\n' "$*" >&2; }

imports_hostdeck() { # a line of configuration.nix, outside a comment, naming ./hostdeck
  sed -e 's/#.*//' "$CONFIG_DIR/configuration.nix" | grep -Eq '(^|[[:space:][(])\./hostdeck(/default\.nix)?([[:space:];)]|]|$)'
}

build_system() { # prints the store path of the new system
  [ -f "$CONFIG_DIR/configuration.nix" ] || die "$CONFIG_DIR/configuration.nix does not exist"
  say "building the system configuration..."
  nix-instantiate --parse "$CONFIG_DIR/configuration.nix" >/dev/null || die "$CONFIG_DIR/configuration.nix does not parse"
  local tmp sys path
  tmp="$(mktemp -d)"
  sys="$tmp/nixos-system-$(hostname)-hostdeck-lab-standin"
  mkdir -p "$sys/bin"
  if imports_hostdeck && [ -e "$CONFIG_DIR/hostdeck/default.nix" ]; then
    if ! nix-instantiate --parse "$CONFIG_DIR/hostdeck/default.nix" >/dev/null; then
      rm -rf "$tmp"
      die "$CONFIG_DIR/hostdeck/default.nix does not parse"
    fi
    cp -R "$CONFIG_DIR/hostdeck/." "$sys/hostdeck"
  fi
  install -m 0755 "$self" "$sys/bin/switch-to-configuration"
  printf 'A system generation of the hostdeck lab stand-in for nixos-rebuild (not NixOS).\n' >"$sys/README"
  path="$(nix-store --add "$sys")" || { rm -rf "$tmp"; die "nix-store --add failed"; }
  rm -rf "$tmp"
  printf '%s\n' "$path"
}

domain_state() { "${VIRSH[@]}" domstate "$1" 2>/dev/null | head -n 1; }

activate() { # switch|test|dry-activate — the guests of this generation (the folder above bin/)
  local mode="$1" sys hd failed=0 name uuid xml power autostart remove
  local -a starts=() restarts=() removes=()
  sys="$(cd "$(dirname "$self")/.." && pwd)"
  hd="$sys/hostdeck"
  if [ ! -f "$hd/manifest.json" ]; then
    say "this generation has no Hostdeck module: no guests to apply"
    return 0
  fi
  if [ "$mode" = dry-activate ]; then say "would activate the configuration..."; else say "activating the configuration..."; fi
  while IFS=$'\t' read -r name uuid xml power autostart remove; do
    if [ "$remove" = true ]; then
      [ -n "$(domain_state "$uuid")" ] || continue
      if [ "$mode" = dry-activate ]; then removes+=("hostdeck-remove-$name.service"); continue; fi
      [ "$(domain_state "$uuid")" != running ] || "${VIRSH[@]}" destroy "$uuid" >/dev/null || failed=1
      if "${VIRSH[@]}" undefine --nvram "$uuid" >/dev/null 2>&1 || "${VIRSH[@]}" undefine "$uuid" >/dev/null; then
        say "guest $name ($uuid): undefined (its disks are kept)"
      else
        failed=1
      fi
      continue
    fi
    if [ "$mode" = dry-activate ]; then
      if [ -z "$(domain_state "$uuid")" ]; then starts+=("hostdeck-guest-$name.service")
      elif ! cmp -s "$hd/$xml" "$PROFILE/hostdeck/$xml"; then restarts+=("hostdeck-guest-$name.service"); fi
      continue
    fi
    if ! "${VIRSH[@]}" define "$hd/$xml" >/dev/null; then
      say "guest $name ($uuid): virsh define failed"
      failed=1
      continue
    fi
    if [ "$autostart" = true ]; then "${VIRSH[@]}" autostart "$uuid" >/dev/null || failed=1
    else "${VIRSH[@]}" autostart --disable "$uuid" >/dev/null || failed=1; fi
    case "$power:$(domain_state "$uuid")" in
      running:running | stopped:shut*) ;;
      running:*) "${VIRSH[@]}" start "$uuid" >/dev/null || failed=1 ;;
      stopped:*) "${VIRSH[@]}" destroy "$uuid" >/dev/null || failed=1 ;;
    esac
    say "guest $name ($uuid): defined from $xml, $power"
  done < <(jq -r '.vms[] | [.name, .uuid, (.xmlFile // ""), .powerState, (.autostart | tostring), (.remove | tostring)] | @tsv' "$hd/manifest.json")
  if [ "$mode" = dry-activate ]; then
    [ ${#starts[@]} = 0 ] || say "would start the following units: ${starts[*]}"
    [ ${#restarts[@]} = 0 ] || say "would restart the following units: ${restarts[*]}"
    [ ${#removes[@]} = 0 ] || say "would start the following units: ${removes[*]}"
    [ $((${#starts[@]} + ${#restarts[@]} + ${#removes[@]})) -gt 0 ] || say "no guest would change"
  fi
  [ $failed = 0 ] || die "some guests could not be applied"
}

if [ "${0##*/}" = switch-to-configuration ]; then
  case "${1:-}" in
    switch | test | dry-activate) activate "$1" ;;
    boot) say "no boot loader in the lab stand-in: nothing to do" ;;
    *) die "usage: switch-to-configuration switch|test|boot|dry-activate" ;;
  esac
  exit 0
fi

say "nixos-rebuild: the hostdeck lab stand-in (not NixOS; scripts/lab/nixos-rebuild-standin.sh)"
action="${1:-}"
rollback=0
for arg in "${@:2}"; do
  case "$arg" in
    --rollback) rollback=1 ;;
    *) die "unsupported option: $arg" ;;
  esac
done
case "$action" in
  switch | test | boot)
    if [ $rollback = 1 ]; then
      nix-env -p "$PROFILE" --rollback
      path="$(readlink -f "$PROFILE")"
    else
      path="$(build_system)"
      [ "$action" = test ] || nix-env -p "$PROFILE" --set "$path"
    fi
    [ "$action" = boot ] || "$path/bin/switch-to-configuration" "$action"
    ;;
  build | dry-build)
    [ $rollback = 0 ] || die "--rollback only goes with switch, test or boot"
    build_system
    ;;
  dry-activate)
    [ $rollback = 0 ] || die "--rollback only goes with switch, test or boot"
    path="$(build_system)"
    "$path/bin/switch-to-configuration" dry-activate
    ;;
  list-generations)
    nix-env -p "$PROFILE" --list-generations
    ;;
  *)
    die "usage: nixos-rebuild switch [--rollback] | test | boot | build | dry-build | dry-activate | list-generations"
    ;;
esac
