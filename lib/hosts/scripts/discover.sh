#!/bin/sh
# discover.sh — the first round trip of an import (lib/hosts/import.ts):
# every storage pool's folder, which domains run and start at boot, and each
# domain's inactive XML, in "@@hostdeck:NAME" sections. Argument: $1 the
# libvirt URI; names from the host reach virsh only after `--`.
# Runs as `sh -c SCRIPT hostdeck-discover URI`; this comment block is not sent.

uri="$1"
section() { printf '\n@@hostdeck:%s\n' "$1"; }
for pool in $(virsh -c "$uri" pool-list --all --name); do
  section "pool:$pool"; virsh -c "$uri" pool-dumpxml -- "$pool" 2>/dev/null | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -n 1
done
section running; virsh -c "$uri" list --state-running --uuid
section autostart; virsh -c "$uri" list --all --autostart --uuid
for uuid in $(virsh -c "$uri" list --all --uuid); do
  section "domain:$uuid"; virsh -c "$uri" dumpxml --inactive -- "$uuid"
done
section end
