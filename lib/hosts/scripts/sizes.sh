#!/bin/sh
# sizes.sh — the second round trip of an import (lib/hosts/import.ts): per
# disk, "size BYTES" (BYTES empty when virsh could not tell), or the verdict
# of inside_pool (inside-pool.sh, prepended when loaded) when the disk
# resolves outside its pool's folder — its size is then not asked for.
# Arguments: the libvirt URI, then "pool" NAME VOLUME ROOT or "path" FILE ROOT,
# repeated (ROOT: the folder of the disk's pool, "" when not known). Paths go
# to virsh after `--`. This comment block is not sent.

uri="$1"; shift
capacity() { sed -n 's/^Capacity: *\([0-9]*\) bytes$/\1/p'; }
while [ "$#" -ge 4 ]; do
  kind="$1"; name="$2"; third="$3"; root="$4"; shift 4
  if [ "$kind" = pool ]; then file="$root/$third"; else file="$name"; fi
  if [ -n "$root" ]; then
    verdict=$(inside_pool "$root" "$file")
    if [ "$verdict" != ok ] && [ "$verdict" != no-pool ]; then printf '%s\n' "$verdict"; continue; fi
  fi
  if [ "$kind" = pool ]; then info=$(virsh -c "$uri" vol-info --bytes --pool "$name" -- "$third" 2>/dev/null)
  else info=$(virsh -c "$uri" vol-info --bytes -- "$name" 2>/dev/null); fi
  printf 'size %s\n' "$(printf '%s\n' "$info" | capacity)"
done
