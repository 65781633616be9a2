#!/bin/sh
# inside-pool.sh — the shell function `inside_pool ROOT PATH`, prepended to
# the scripts that touch disk paths (path-check.sh, sizes.sh, deploy-libvirt.sh). It prints ok,
# outside, forbidden or no-pool: both are resolved with realpath (the root must
# exist; of the path, the part that exists), and only a path strictly below
# its root, neither in a system folder, is ok. ROOT and PATH are positional
# arguments: the script text never holds a path. The system folders are
# lib/spec's FORBIDDEN_FOLDERS; the loader (./index.ts) refuses a copy that
# differs from them.

inside_pool() {
  root=$(realpath -e -- "$1" 2>/dev/null) || { echo no-pool; return; }
  real=$(realpath -m -- "$2" 2>/dev/null) || { echo outside; return; }
  for f in /dev /etc /proc /sys /boot /root; do
    case "$root/" in "$f"/*) echo forbidden; return;; esac
    case "$real/" in "$f"/*) echo forbidden; return;; esac
  done
  [ "$root" = / ] && { echo forbidden; return; }
  case "$real" in "$root"/*) echo ok;; *) echo outside;; esac
}
