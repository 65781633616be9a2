#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (real sshd, libvirtd + QEMU
# for the lab hosts, Chromium, Nix (nix-instantiate; nix-store and nix-env with jq for
# the lab's nixos-rebuild stand-in), xmllint, shellcheck, virt-install with
# osinfo-db for the import round trip) when they are missing and we are root. With
# `bench`, also the tools the benchmarks compare against (ansible).
set -euo pipefail
packages=(libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils swtpm swtpm-tools openssh-server openssh-client nix-bin jq libxml2-utils chromium iproute2 util-linux fonts-dejavu-core procps shellcheck virtinst osinfo-db)
[ "${1:-}" = bench ] && packages+=(ansible)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them as root (apt-get install ${missing[*]}) and run again." >&2
  exit 1
fi
echo "[test] installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
