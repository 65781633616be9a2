#!/bin/sh
# live.sh — the background poll of one host (lib/hosts/live.ts parses it):
# host CPU and memory counters, and `virsh domstats` of every domain with
# virsh's exit status. Argument: $1 the libvirt URI.
# Runs as `sh -c SCRIPT hostdeck-live URI`; this comment block is not sent.

uri="$1"
printf '@@hostdeck:stat\n'; head -n 1 /proc/stat
printf '@@hostdeck:meminfo\n'; grep -E '^(MemTotal|MemAvailable):' /proc/meminfo
printf '@@hostdeck:domstats\n'
virsh -c "$uri" domstats --raw --nowait --state --cpu-total --balloon --block --interface 2>&1
printf '@@hostdeck:virsh-exit\n%s\n' "$?"
printf '@@hostdeck:end\n'
