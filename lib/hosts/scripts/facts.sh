#!/bin/sh
# facts.sh — what a host is, in one SSH round trip (lib/hosts/facts.ts parses it).
# Argument: $1 the libvirt URI (checked local by lib/hosts/safety.ts). Prints
# one "@@hostdeck:NAME" section per fact, then "@@hostdeck:end".
# Runs as `sh -c SCRIPT hostdeck-facts URI`; this comment block is not sent.

uri="$1"
section() { printf '\n@@hostdeck:%s\n' "$1"; }
section kernel; uname -r
section arch; uname -m
section os
# shellcheck source=/dev/null # the host's own os-release, read at run time
(. /etc/os-release 2>/dev/null; printf '%s\n%s\n%s\n' "$PRETTY_NAME" "$ID" "$VERSION_ID")
section nixos; command -v nixos-version >/dev/null 2>&1 && nixos-version
section cpus; nproc
section cpumodel; grep -m1 'model name' /proc/cpuinfo | sed 's/^[^:]*: //'
section cpuflags; grep -m1 -o -w -E 'vmx|svm' /proc/cpuinfo
section kvm; test -c /dev/kvm && echo yes || echo no
section meminfo; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo
section virsh; virsh -c "$uri" version 2>&1
section pools; virsh -c "$uri" pool-list --all --name 2>/dev/null
section networks; virsh -c "$uri" net-list --all --name 2>/dev/null
section links; ip -j -d link show 2>/dev/null
section domains; virsh -c "$uri" list --all --name 2>/dev/null
section end
