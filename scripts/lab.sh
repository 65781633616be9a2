#!/usr/bin/env bash
# scripts/lab.sh — real KVM/libvirt test hosts on this machine, for integration
# tests and benchmarks (docs/architecture.md, "Lab hosts in network namespaces").
#
#   scripts/lab.sh up [N]        bring up lab1..labN (default 2); idempotent
#   scripts/lab.sh down [N]      stop lab host N, or all lab hosts
#   scripts/lab.sh status        table of hosts; exit 1 if a host that should run is down
#   scripts/lab.sh sshd-stop N   stop sshd of host N (listener and sessions)
#   scripts/lab.sh sshd-start N  start sshd of host N again
#   scripts/lab.sh guest-serial N  define and start lab-serial on host N (serial echo guest)
#   scripts/lab.sh nixos-standin N  host N stands in for a NixOS host (nixos-rebuild stand-in)
#   scripts/lab.sh purge         down, then delete .data/lab
#
# Each host is one network namespace `hdlabN` (veth 10.200.N.1 outside,
# 10.200.N.2 inside) holding one mount+UTS namespace (unshare, propagation
# slave) in which per-host folders are bind-mounted over libvirt's state
# folders; inside run a root libvirtd, its own virtlogd, and an OpenSSH sshd on
# 10.200.N.2:22 (key-only, its own host key and AuthorizedKeysFile).
# Logins use the non-root user `hdlab` (group libvirt) with
# LIBVIRT_DEFAULT_URI=qemu:///system. Every host gets a dir storage pool
# `default` with a small qcow2 base image, a bridge-only libvirt network `lab`
# and two diskless guests lab-vm-1 (running) and lab-vm-2 (stopped) with VNC and
# SPICE on 127.0.0.1 and a serial pty.
#
# State lives in <repo>/.data/lab/ (gitignored); .data/lab/hosts.json describes
# the running hosts. Only processes inside the lab's own namespaces are ever
# killed, and only namespaces/veths named hdlabN are removed.
# `nixos-standin N` is for the NixOS strategy's tests (see its section below).
# HOSTDECK_LAB_ACCEL=tcg forces TCG guests (domain type qemu); by default KVM is
# used when /dev/kvm can be opened. HOSTDECK_LAB_PARALLEL: hosts started at once (4).
# Needs root and: libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
# qemu-system-x86 qemu-utils openssh-server openssh-client iproute2 util-linux procps.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LAB="$ROOT/.data/lab"
LAB_USER="${HOSTDECK_LAB_USER:-hdlab}"
LAB_HOME="/var/lib/$LAB_USER"
MAX_HOSTS=200
PARALLEL="${HOSTDECK_LAB_PARALLEL:-4}"
# Mount points inside each host's namespace: libvirt's own folders plus one for sshd.
SSHD_MNT=/run/hdlab-sshd

die() { printf 'lab.sh: %s\n' "$*" >&2; exit 1; }

host_dir() { echo "$LAB/hosts/lab$1"; }
ns_name() { echo "hdlab$1"; }

# ---------------------------------------------------------------- checks ----
need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, libvirtd, sshd)"; }

need_tools() {
  local missing=() t
  for t in ip unshare nsenter mount libvirtd virtlogd virsh qemu-img /usr/sbin/sshd ssh-keygen ps flock taskset; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  [ -x /usr/bin/qemu-system-x86_64 ] || missing+=(qemu-system-x86_64)
  [ ${#missing[@]} = 0 ] || die "missing tools: ${missing[*]} (apt-get install -y --no-install-recommends libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils openssh-server openssh-client iproute2)"
}

valid_n() {
  if [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$MAX_HOSTS" ]; then return 0; fi
  die "host number must be 1..$MAX_HOSTS, got '$1'"
}

first_cpu() { taskset -pc $$ | sed 's/.*: *//; s/[,-].*//'; }

kvm_usable() { [ -c /dev/kvm ] && ( exec 9<>/dev/kvm ) 2>/dev/null; }

# ------------------------------------------------------------ processes ----
# The holder is a `sleep infinity` that owns the host's mount+UTS namespace.
holder_pid() {
  local f pid comm ids; f="$LAB/hosts/lab$1/holder.pid"
  [ -f "$f" ] && read -r pid 2>/dev/null <"$f" && [ -n "$pid" ] || return 1
  # It must still be our holder: a sleep in the lab's network namespace.
  read -r comm 2>/dev/null <"/proc/$pid/comm" && [ "$comm" = sleep ] || return 1
  ids="$(stat -L -c %i "/proc/$pid/ns/net" "/run/netns/hdlab$1" 2>/dev/null)" || return 1
  [ "${ids%%$'\n'*}" = "${ids##*$'\n'}" ] || return 1
  echo "$pid"
}

# Processes (one per line, "pid comm") inside host N: same mount namespace as
# the holder (or as recorded when the host started, should the holder have
# died) and same network namespace as /run/netns/hdlabN.
ns_procs() {
  local hp mnt net ids d="$LAB/hosts/lab$1"
  if hp="$(holder_pid "$1")"; then
    ids="$(stat -L -c %i "/proc/$hp/ns/mnt" "/run/netns/hdlab$1" 2>/dev/null)" || return 0
    mnt="${ids%%$'\n'*}"; net="${ids##*$'\n'}"
  elif [ -f "$d/mntns" ] && read -r mnt <"$d/mntns"; then
    net="$(stat -L -c %i "/run/netns/hdlab$1" 2>/dev/null)" || return 0
  else
    return 0
  fi
  if [ -n "$PS_SNAPSHOT" ]; then printf '%s\n' "$PS_SNAPSHOT"; else ps -e -o pid=,mntns=,netns=,comm=; fi |
    awk -v m="$mnt" -v n="$net" '$2 == m && $3 == n { print $1, $4 }'
}

# Read-only checks of many hosts use one process list (snapshot_ps); anything that
# starts or stops processes clears it with `local PS_SNAPSHOT=` to see live data.
PS_SNAPSHOT=""
snapshot_ps() { PS_SNAPSHOT="$(ps -e -o pid=,mntns=,netns=,comm=)"; }

proc_running() { # N comm
  local procs; procs="$(ns_procs "$1")"
  [[ $'\n'"$procs" == *" $2"$'\n'* || $'\n'"$procs" == *" $2" ]]
}

sshd_pid() {
  local pid procs
  read -r pid 2>/dev/null <"$LAB/hosts/lab$1/sshd/sshd.pid" && [ -n "$pid" ] || return 1
  procs="$(ns_procs "$1")"
  [[ $'\n'"$procs"$'\n' == *$'\n'"$pid sshd"$'\n'* ]] || return 1
  echo "$pid"
}

# Run a command inside host N (network, mount and UTS namespaces).
in_host() {
  local n="$1"; shift
  local hp; hp="$(holder_pid "$n")" || die "lab$n is not running"
  nsenter -t "$hp" -m -u -n -- "$@" 8>&-
}

virsh_in() { local n="$1"; shift; in_host "$n" virsh -q -c qemu:///system "$@"; }
# `virsh ... --name` output, one name a line, without virsh's padding.
virsh_names() { virsh_in "$@" | awk 'NF { print $1 }'; }

# ------------------------------------------------------------ one-time ----
ensure_accounts() {
  getent group libvirt-qemu >/dev/null || groupadd --system libvirt-qemu
  getent passwd libvirt-qemu >/dev/null || useradd --system -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
  getent group libvirt >/dev/null || groupadd --system libvirt
  if ! getent passwd "$LAB_USER" >/dev/null; then
    useradd --system -d "$LAB_HOME" -s /bin/bash -G libvirt -p '*' "$LAB_USER"
  fi
  local groups shadow
  groups=" $(id -nG "$LAB_USER") "
  [[ $groups == *" libvirt "* ]] || usermod -aG libvirt "$LAB_USER"
  # A locked password ("!") makes sshd (UsePAM no) refuse even key logins.
  shadow="$(getent shadow "$LAB_USER")"; shadow="${shadow#*:}"
  [[ $shadow != '!'* ]] || usermod -p '*' "$LAB_USER"
  mkdir -p "$LAB_HOME"; chown "$LAB_USER": "$LAB_HOME"; chmod 755 "$LAB_HOME"
  # Mount points in the root namespace (empty folders; lab data is mounted over them only inside the lab namespaces).
  mkdir -p /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt /etc/libvirt /run/sshd "$SSHD_MNT" \
    /var/lib/hostdeck /etc/nixos
  chmod 755 /run/sshd
}

# Hostdeck's folders on a host, per lab host and owned by the lab user (who
# deploys there): /var/lib/hostdeck (deployment state, seeds, base images) and
# /etc/nixos (the NixOS strategy's module folder, for the nixos-rebuild stand-in).
# Idempotent, so hosts brought up by an older lab.sh get them too.
ensure_state_mounts() { # N
  local n="$1" d; d="$(host_dir "$n")"
  mkdir -p "$d/hostdeck-state" "$d/etc-nixos"
  chown "$LAB_USER": "$d/hostdeck-state" "$d/etc-nixos"
  # shellcheck disable=SC2016 # the script runs in the host's namespace; its $ expand there
  in_host "$n" sh -euc '
    mountpoint -q /var/lib/hostdeck || mount --bind "$1/hostdeck-state" /var/lib/hostdeck
    mountpoint -q /etc/nixos || mount --bind "$1/etc-nixos" /etc/nixos
  ' sh "$d"
  nixos_standin_mounts "$n"
}

ensure_client_key() {
  mkdir -p "$LAB/client"; chmod 700 "$LAB/client"
  [ -f "$LAB/client/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "hostdeck-lab-client" -f "$LAB/client/id_ed25519"
}

# -------------------------------------------------------- host config ----
write_configs() { # N kvm|qemu
  local n="$1" vtype="$2" d; d="$(host_dir "$n")"
  mkdir -p "$d"/{etc,lib,cache,log,sshd} "$d/etc/qemu" "$d/etc/storage" "$d/etc/qemu/networks"
  cat >"$d/etc/libvirtd.conf" <<EOF
# lab$n libvirtd (generated by scripts/lab.sh)
unix_sock_group = "libvirt"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0770"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
  cat >"$d/etc/virtlogd.conf" <<EOF
log_outputs = "3:file:/var/log/libvirt/virtlogd.log"
EOF
  cat >"$d/etc/qemu.conf" <<EOF
# lab$n QEMU driver (generated by scripts/lab.sh)
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
cgroup_controllers = [ ]
namespaces = [ ]
security_driver = "none"
vnc_listen = "127.0.0.1"
spice_listen = "127.0.0.1"
stdio_handler = "logd"
EOF
  printf '127.0.0.1\tlocalhost\n10.200.%s.2\tlab%s\n' "$n" "$n" >"$d/hosts"
  echo "$vtype" >"$d/domain-type"

  # sshd: host key, config, authorized_keys (mounted at $SSHD_MNT inside the host)
  chmod 755 "$d/sshd"
  if [ ! -f "$d/sshd/ssh_host_ed25519_key" ]; then
    rm -f "$d/sshd/fingerprint"
    ssh-keygen -q -t ed25519 -N '' -C "lab$n" -f "$d/sshd/ssh_host_ed25519_key"
  fi
  chmod 600 "$d/sshd/ssh_host_ed25519_key"
  cp "$LAB/client/id_ed25519.pub" "$d/sshd/authorized_keys"; chmod 644 "$d/sshd/authorized_keys"
  cat >"$d/sshd/sshd_config" <<EOF
# lab$n sshd (generated by scripts/lab.sh)
ListenAddress 10.200.$n.2
Port 22
HostKey $SSHD_MNT/ssh_host_ed25519_key
PidFile $SSHD_MNT/sshd.pid
AuthorizedKeysFile $SSHD_MNT/authorized_keys
AllowUsers $LAB_USER
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
UseDNS no
AllowTcpForwarding local
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
MaxSessions 10
MaxStartups 100:30:200
ClientAliveInterval 0
SetEnv LIBVIRT_DEFAULT_URI=qemu:///system
Subsystem sftp internal-sftp
EOF
  printf '10.200.%s.2 %s\n' "$n" "$(cut -d' ' -f1,2 "$d/sshd/ssh_host_ed25519_key.pub")" >"$d/known_hosts"
}

# ------------------------------------------------------- bring up/down ----
start_namespace() { # N
  local n="$1" ns; ns="$(ns_name "$n")"
  local d; d="$(host_dir "$n")"
  if [ ! -e "/run/netns/$ns" ]; then
    ip netns add "$ns"
  fi
  touch "$d/netns.created"
  if ! ip link show "${ns}o" >/dev/null 2>&1; then
    ip link add "${ns}o" type veth peer name "${ns}i"
    ip link set "${ns}i" netns "$ns"
  fi
  ip addr replace "10.200.$n.1/24" dev "${ns}o"
  ip link set "${ns}o" up
  ip -n "$ns" addr replace "10.200.$n.2/24" dev "${ns}i"
  ip -n "$ns" link set "${ns}i" up
  ip -n "$ns" link set lo up
  # The bridge the libvirt network `lab` uses (bridge-only: no dnsmasq, no firewall).
  ip -n "$ns" link show br0 >/dev/null 2>&1 || ip -n "$ns" link add br0 type bridge
  ip -n "$ns" link set br0 up

  # Holder process owning the host's mount and UTS namespaces.
  setsid ip netns exec "$ns" unshare -m -u --propagation slave sleep infinity </dev/null >/dev/null 2>&1 8>&- &
  echo $! >"$d/holder.pid"
  local i
  for i in $(seq 1 50); do
    holder_pid "$n" >/dev/null && [ "$(stat -L -c %i "/proc/$(cat "$d/holder.pid")/ns/mnt")" != "$(stat -L -c %i /proc/self/ns/mnt)" ] && break
    sleep 0.02
  done
  holder_pid "$n" >/dev/null || die "lab$n: namespace holder did not start"
  stat -L -c %i "/proc/$(holder_pid "$n")/ns/mnt" >"$d/mntns"

  in_host "$n" hostname "lab$n"
  # shellcheck disable=SC2016 # the script runs in the host's namespace; its $ expand there
  in_host "$n" sh -euc '
    d="$1"
    mount --bind "$d/etc" /etc/libvirt
    mount --bind "$d/lib" /var/lib/libvirt
    mount --bind "$d/cache" /var/cache/libvirt
    mount --bind "$d/log" /var/log/libvirt
    mount -t tmpfs -o mode=755 tmpfs /run/libvirt
    mount --bind "$d/sshd" "$2"
    mount --bind "$d/hosts" /etc/hosts
  ' sh "$d" "$SSHD_MNT"
}

start_daemons() { # N
  local n="$1" PS_SNAPSHOT=""
  proc_running "$n" virtlogd || in_host "$n" virtlogd -d -f /etc/libvirt/virtlogd.conf -p /run/libvirt/virtlogd.pid
  if ! proc_running "$n" libvirtd; then
    # libvirtd runs on one fixed CPU: its QEMU capability cache records the host's
    # CPUID data, which includes the APIC id of the CPU it was read on; pinned,
    # every host reads the same data and accepts the first host's cache.
    # Once the cache is loaded (after provisioning) libvirtd gets every CPU back,
    # and libvirt gives each guest the full CPU set anyway.
    in_host "$n" taskset -c "$(first_cpu)" libvirtd -d -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid
  fi
  local i
  for i in $(seq 1 200); do
    [ -S "/proc/$(holder_pid "$n")/root/run/libvirt/libvirt-sock" ] && break
    sleep 0.05
  done
  [ -S "/proc/$(holder_pid "$n")/root/run/libvirt/libvirt-sock" ] || die "lab$n: libvirtd did not start (see $(host_dir "$n")/log/libvirtd.log)"
  sshd_pid "$n" >/dev/null || start_sshd "$n"
}

start_sshd() { # N
  local n="$1" d; d="$(host_dir "$n")"
  rm -f "$d/sshd/sshd.pid"
  in_host "$n" /usr/sbin/sshd -f "$SSHD_MNT/sshd_config" -E "$SSHD_MNT/sshd.log"
  local i
  for i in $(seq 1 100); do
    [ -s "$d/sshd/sshd.pid" ] && break
    sleep 0.02
  done
  sshd_pid "$n" >/dev/null || die "lab$n: sshd did not start (see $d/sshd/sshd.log)"
}

stop_sshd() { # N — kills the listener and every session, as if the host's sshd went away
  local n="$1" pids
  mapfile -t pids < <(ns_procs "$n" | awk '$2 == "sshd" { print $1 }')
  [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  rm -f "$(host_dir "$n")/sshd/sshd.pid"
}

provision() { # N — storage pool, base image, network, guests (only what is missing)
  local n="$1" d vtype; d="$(host_dir "$n")"; vtype="$(cat "$d/domain-type")"
  local pools nets doms
  pools="$(virsh_names "$n" pool-list --all --name)"
  if ! grep -qx default <<<"$pools"; then
    virsh_in "$n" pool-define-as default dir --target /var/lib/libvirt/images >/dev/null
    virsh_in "$n" pool-build default >/dev/null
    virsh_in "$n" pool-autostart default >/dev/null
  fi
  grep -qx default <<<"$(virsh_names "$n" pool-list --name)" || virsh_in "$n" pool-start default >/dev/null
  if [ ! -f "$d/lib/images/base.qcow2" ]; then
    in_host "$n" qemu-img create -q -f qcow2 /var/lib/libvirt/images/base.qcow2 64M
    virsh_in "$n" pool-refresh default >/dev/null
  fi
  nets="$(virsh_names "$n" net-list --all --name)"
  if ! grep -qx lab <<<"$nets"; then
    printf "<network><name>lab</name><forward mode='bridge'/><bridge name='br0'/></network>\n" >"$d/net-lab.xml"
    in_host "$n" virsh -q -c qemu:///system net-define "$d/net-lab.xml" >/dev/null
    virsh_in "$n" net-autostart lab >/dev/null
  fi
  grep -qx lab <<<"$(virsh_names "$n" net-list --name)" || virsh_in "$n" net-start lab >/dev/null
  doms="$(virsh_names "$n" list --all --name)"
  local vm
  for vm in lab-vm-1 lab-vm-2; do
    grep -qx "$vm" <<<"$doms" && continue
    cat >"$d/$vm.xml" <<EOF
<domain type='$vtype'>
  <name>$vm</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <interface type='network'><source network='lab'/><model type='virtio'/><rom enabled='no'/></interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>
    <graphics type='spice' port='-1' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>
    <video><model type='vga' vram='16384' heads='1'/></video>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    in_host "$n" virsh -q -c qemu:///system define "$d/$vm.xml" >/dev/null
  done
  # lab-vm-1 runs; lab-vm-2 is left as it is (stopped when created).
  if [ "$(virsh_in "$n" domstate lab-vm-1 2>/dev/null)" != running ]; then
    virsh_in "$n" start lab-vm-1 >/dev/null
  fi
}

unpin_libvirtd() { # N — give libvirtd (all threads) every CPU we may use
  local pid cpus
  cpus="$(taskset -pc $$ | sed 's/.*: *//')"
  for pid in $(ns_procs "$1" | awk '$2 == "libvirtd" { print $1 }'); do
    taskset -a -p -c "$cpus" "$pid" >/dev/null 2>&1 || true
  done
}

host_is_up() { # N — all daemons alive (quick check)
  local procs pid
  procs=$'\n'"$(ns_procs "$1")"$'\n'
  [[ $procs == *" libvirtd"$'\n'* && $procs == *" virtlogd"$'\n'* ]] || return 1
  read -r pid 2>/dev/null <"$LAB/hosts/lab$1/sshd/sshd.pid" && [[ $procs == *$'\n'"$pid sshd"$'\n'* ]]
}

up_host() { # N
  local n="$1" d t0 vtype; d="$(host_dir "$n")"; t0=$(date +%s%N)
  # Quick path (cmd_up took one process snapshot for all hosts): daemons alive and
  # some guest running → nothing to do. No guest running → start lab-vm-1 again.
  [ -n "$PS_SNAPSHOT" ] || snapshot_ps
  if host_is_up "$n"; then
    if [[ $'\n'"$(ns_procs "$n")" != *" qemu-system-"* ]]; then
      local PS_SNAPSHOT=""
      provision "$n"
    fi
    ensure_state_mounts "$n"
    echo "lab$n: already up"
    return 0
  fi
  local PS_SNAPSHOT=""
  # Half-up (e.g. after a crash or reboot): clear it and start over.
  if holder_pid "$n" >/dev/null || [ -e "/run/netns/$(ns_name "$n")" ]; then down_host "$n" quiet; fi
  reclaim_leftover_namespace "$n"
  case "${HOSTDECK_LAB_ACCEL:-auto}" in
    kvm) vtype=kvm ;;
    tcg) vtype=qemu ;;
    *) if kvm_usable; then vtype=kvm; else vtype=qemu; fi ;;
  esac
  write_configs "$n" "$vtype"
  rm -f "$d/stopped"
  # Later hosts reuse the first host's QEMU capability cache (skips an ~8 s probe).
  if [ "$n" != 1 ] && [ -d "$LAB/hosts/lab1/cache/qemu/capabilities" ] && [ ! -d "$d/cache/qemu/capabilities" ]; then
    mkdir -p "$d/cache/qemu"
    cp -a "$LAB/hosts/lab1/cache/qemu/capabilities" "$d/cache/qemu/"
  fi
  local t1 t2 t3
  start_namespace "$n"; t1=$(date +%s%N)
  ensure_state_mounts "$n"
  start_daemons "$n"; t2=$(date +%s%N)
  provision "$n"; t3=$(date +%s%N)
  unpin_libvirtd "$n"
  local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  echo "lab$n: up in ${ms} ms (namespace $(( (t1 - t0) / 1000000 )), daemons $(( (t2 - t1) / 1000000 )), guests $(( (t3 - t2) / 1000000 )) ms) — ssh $LAB_USER@10.200.$n.2 (netns $(ns_name "$n"), domain type $vtype, lab-vm-1 running, lab-vm-2 defined)"
}

down_host() { # N [quiet]
  local n="$1" quiet="${2:-}" ns; ns="$(ns_name "$n")"
  local PS_SNAPSHOT=""
  local d; d="$(host_dir "$n")"
  if [ -n "$(ns_procs "$n")" ]; then
    local hp pids; hp="$(holder_pid "$n" || echo 0)"
    # Guests, daemons and sessions together (a root libvirtd leaves guests running when it exits), then the holder.
    mapfile -t pids < <(ns_procs "$n" | awk -v h="$hp" '$1 != h { print $1 }')
    [ "${#pids[@]}" -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
    local i
    for i in $(seq 1 20); do
      [ -z "$(ns_procs "$n" | awk -v h="$hp" '$1 != h')" ] && break
      sleep 0.05
    done
    mapfile -t pids < <(ns_procs "$n" | awk '{ print $1 }')
    [ "${#pids[@]}" -eq 0 ] || kill -KILL "${pids[@]}" 2>/dev/null || true
  fi
  rm -f "$d/holder.pid" "$d/mntns" "$d/sshd/sshd.pid"
  # Only namespaces/veths this script created (recorded in netns.created).
  if [ -f "$d/netns.created" ]; then
    ip link del "${ns}o" 2>/dev/null || true
    if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
    rm -f "$d/netns.created"
  fi
  if [ -z "$quiet" ]; then
    : >"$d/stopped" 2>/dev/null || true # stopped on purpose: status lists it, but not as a failure
    echo "lab$n: down"
  fi
}

# A namespace hdlabN that is still there after down_host was left by another
# checkout's lab or by a run whose state folder is gone (its processes would hold
# 10.200.N.2:22): every process in it is a lab process by this naming; end them
# and remove the namespace and its veth, so the host starts clean.
reclaim_leftover_namespace() { # N
  local ns pids; ns="$(ns_name "$1")"
  [ -e "/run/netns/$ns" ] || return 0
  mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null)
  if [ "${#pids[@]}" -gt 0 ]; then
    kill -KILL "${pids[@]}" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do [ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && break; sleep 0.05; done
  fi
  ip link del "${ns}o" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
}

known_hosts_list() { # host numbers with a folder, sorted
  [ -d "$LAB/hosts" ] || return 0
  local f
  for f in "$LAB"/hosts/lab*; do [ -d "$f" ] && echo "${f##*/lab}"; done | grep -E '^[0-9]+$' | sort -n
}

write_hosts_json() {
  local n first=1 tmp="$LAB/hosts.json.tmp" PS_SNAPSHOT=""
  snapshot_ps
  {
    echo "["
    for n in $(known_hosts_list); do
      host_is_up "$n" || continue
      local d fp; d="$(host_dir "$n")"
      [ -s "$d/sshd/fingerprint" ] || ssh-keygen -l -E sha256 -f "$d/sshd/ssh_host_ed25519_key.pub" | awk '{print $2}' >"$d/sshd/fingerprint"
      read -r fp <"$d/sshd/fingerprint"
      [ $first = 1 ] || echo ","
      first=0
      printf '  { "name": "lab%s", "address": "10.200.%s.2", "port": 22, "user": "%s", "keyFile": "%s", "knownHostsFile": "%s", "hostKeyFingerprint": "%s" }' \
        "$n" "$n" "$LAB_USER" "$LAB/client/id_ed25519" "$d/known_hosts" "$fp"
    done
    echo
    echo "]"
  } >"$tmp"
  mv "$tmp" "$LAB/hosts.json"
}

# ----------------------------------------------------- serial guest ----
# lab-serial: a guest for serial-console tests, defined only on the host asked
# for (the other tests count lab-vm-1 and lab-vm-2 and nothing else). Its disk
# is one boot sector that writes a banner to COM1 and the screen, then echoes
# every byte it receives on COM1 (Enter as CR LF), halting between interrupts
# (no busy loop). Assembled from this source (GNU as --32; ld -Ttext 0x7c00
# --oformat binary); the bytes are below so the lab needs no assembler:
#   cli; ds=es=ss=0; sp=0x7c00; [0x30]=irq4 (IRQ4 = INT 0x0c)
#   COM1: LCR=0x03 (8N1), IER=0x01 (receive interrupt), MCR=0x0b (DTR RTS OUT2)
#   PIC 0x21 &= ~0x10; print msg via putc + INT 10h/0Eh; sti; loop: hlt
#   irq4: while LSR&1 { al=RBR; putc; if al==CR putc LF }; EOI; iret
#   putc: wait LSR&0x20; out 0x3f8
SERIAL_GUEST_HEX="
fa31c08ed88ec08ed0bc007cc7063000457ca33200bafb03b003eebaf903b001eebafc03b00beee42124efe621be797c
ac84c0740ce83000b40ebb0700cd10ebeffbf4ebfd5052bafd03eca8017412baf803ece812003c0d75edb00ae80900eb
e6b020e6205a58cf5250bafd03eca82074f858baf803ee5ac3486f73746465636b206c61622073657269616c20677565
73743a206b657973207479706564206865726520617265206563686f65642e0d0a"

write_serial_disk() { # FILE — the 1 MiB raw disk holding the boot sector
  local hex="${SERIAL_GUEST_HEX//[$'\n ']/}" tmp="$1.tmp"
  # shellcheck disable=SC2001 # every byte pair gets a \x prefix: a back-reference ${//} cannot write
  printf '%b' "$(sed 's/../\\x&/g' <<<"$hex")" >"$tmp"
  truncate -s 510 "$tmp"
  printf '\x55\xaa' >>"$tmp"
  truncate -s 1M "$tmp"
  mv "$tmp" "$1"
}

cmd_guest_serial() { # N — define (if missing) and start lab-serial on host N
  local n="$1" d vtype PS_SNAPSHOT=""; d="$(host_dir "$n")"
  host_is_up "$n" || die "lab$n is not up (scripts/lab.sh up $n)"
  vtype="$(cat "$d/domain-type")"
  mkdir -p "$d/lib/images"
  [ -s "$d/lib/images/serial-guest.img" ] || write_serial_disk "$d/lib/images/serial-guest.img"
  if ! grep -qx lab-serial <<<"$(virsh_names "$n" list --all --name)"; then
    cat >"$d/lab-serial.xml" <<EOF
<domain type='$vtype'>
  <name>lab-serial</name>
  <memory unit='MiB'>16</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/libvirt/images/serial-guest.img'/><target dev='hda' bus='ide'/></disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'><listen type='address' address='127.0.0.1'/></graphics>
    <video><model type='vga' vram='16384' heads='1'/></video>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
    in_host "$n" virsh -q -c qemu:///system define "$d/lab-serial.xml" >/dev/null
  fi
  [ "$(virsh_in "$n" domstate lab-serial 2>/dev/null)" = running ] || virsh_in "$n" start lab-serial >/dev/null
  echo "lab$n: lab-serial running (echoes its serial port)"
}

# ---------------------------------------------------- NixOS stand-in ----
# `nixos-standin N` makes lab host N stand in for a NixOS host, for the NixOS
# strategy's tests. Inside that host only: /usr/local/bin holds
# scripts/lab/nixos-rebuild-standin.sh as `nixos-rebuild` (sshd's PATH for the
# lab user starts there), /nix is a folder of the host's own owned by the lab
# user (single-user Nix from Debian's nix-bin: store, database and the system
# profile /nix/var/nix/profiles/system), and /etc/nixos/configuration.nix
# imports ./hostdeck. The first call makes system generation 1 (no guests).
# The host remembers it (nixos-standin/enabled): `up` mounts it again after a
# restart and refreshes the script. Other lab hosts are left as they are.
STANDIN_SRC="$ROOT/scripts/lab/nixos-rebuild-standin.sh"

nixos_standin_mounts() { # N — only on a host where the stand-in was enabled
  local n="$1" d; d="$(host_dir "$n")"
  [ -f "$d/nixos-standin/enabled" ] || return 0
  install -m 0755 "$STANDIN_SRC" "$d/nixos-standin/bin/nixos-rebuild"
  # shellcheck disable=SC2016 # the script runs in the host's namespace; its $ expand there
  in_host "$n" sh -euc '
    same() { [ "$(stat -c %d:%i "$1")" = "$(stat -c %d:%i "$2")" ]; }
    same /nix "$1/nix" || mount --bind "$1/nix" /nix
    same /usr/local/bin "$1/nixos-standin/bin" || mount --bind "$1/nixos-standin/bin" /usr/local/bin
  ' sh "$d"
}

cmd_nixos_standin() { # N
  local n="$1" d conf gen t PS_SNAPSHOT=""; d="$(host_dir "$n")"
  host_is_up "$n" || die "lab$n is not up (scripts/lab.sh up $n)"
  for t in nix-store nix-env nix-instantiate jq runuser; do
    command -v "$t" >/dev/null 2>&1 || die "missing $t (apt-get install -y nix-bin jq)"
  done
  mkdir -p "$d/nixos-standin/bin" "$d/nix"
  chown "$LAB_USER": "$d/nix"
  : >"$d/nixos-standin/enabled"
  ensure_state_mounts "$n"
  conf="$d/etc-nixos/configuration.nix"
  if [ ! -f "$conf" ]; then
    cat >"$conf" <<'NIX'
# /etc/nixos/configuration.nix of a lab host standing in for NixOS
# (scripts/lab.sh nixos-standin): the stand-in nixos-rebuild only parses it
# and applies ./hostdeck when it is imported.
{ ... }:
{
  imports = [ ./hostdeck ];
}
NIX
    chown "$LAB_USER": "$conf"
  fi
  if [ ! -L "$d/nix/var/nix/profiles/system" ]; then
    in_host "$n" runuser -u "$LAB_USER" -- env -i HOME="$LAB_HOME" PATH=/usr/local/bin:/usr/bin:/bin \
      LIBVIRT_DEFAULT_URI=qemu:///system nixos-rebuild switch </dev/null >/dev/null 2>"$d/nixos-standin/first-switch.log" ||
      die "lab$n: the first nixos-rebuild switch failed (see $d/nixos-standin/first-switch.log)"
  fi
  gen="$(readlink "$d/nix/var/nix/profiles/system")"
  echo "lab$n: stands in for a NixOS host (nixos-rebuild stand-in; system profile at ${gen%-link})"
}

# ------------------------------------------------------------- commands ----
cmd_up() {
  local want="${1:-2}"; valid_n "$want"
  need_tools
  local t0; t0=$(date +%s%N)
  mkdir -p "$LAB/hosts"
  ensure_accounts
  ensure_client_key
  snapshot_ps
  # Host 1 first (it fills the capability cache the others copy), then the rest in parallel.
  up_host 1
  local n pids=() logs=() failed=0
  for n in $(seq 2 "$want"); do
    up_host "$n" >"$LAB/hosts/.up-$n.log" 2>&1 &
    pids+=($!); logs+=("$n")
    if [ ${#pids[@]} -ge "$PARALLEL" ]; then
      wait "${pids[0]}" || failed=1
      cat "$LAB/hosts/.up-${logs[0]}.log"; rm -f "$LAB/hosts/.up-${logs[0]}.log"
      pids=("${pids[@]:1}"); logs=("${logs[@]:1}")
    fi
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed=1
    cat "$LAB/hosts/.up-${logs[$i]}.log"; rm -f "$LAB/hosts/.up-${logs[$i]}.log"
  done
  write_hosts_json
  [ $failed = 0 ] || die "some hosts failed to come up"
  echo "lab: $want host(s) up in $(( ($(date +%s%N) - t0) / 1000000 )) ms; client key $LAB/client/id_ed25519; hosts in $LAB/hosts.json"
}

cmd_down() {
  local n
  if [ $# -ge 1 ]; then valid_n "$1"; down_host "$1"
  else
    for n in $(known_hosts_list); do down_host "$n" & done
    wait
  fi
  if [ -d "$LAB" ]; then write_hosts_json; fi
}

status_line() { # N — one row of the status table; exit 1 if something is down, 2 if stopped on purpose
  local n="$1" netns=down lv=down vl=down sd=down port=closed vms=- procs
  if [ -e "$LAB/hosts/lab$n/stopped" ] && ! holder_pid "$n" >/dev/null; then
    printf '%-6s %-12s %s\n' "lab$n" "10.200.$n.2" "stopped (scripts/lab.sh up $n starts it)"
    return 2
  fi
  if [ -e "/run/netns/hdlab$n" ] && holder_pid "$n" >/dev/null; then
    netns=up
    procs=$'\n'"$(ns_procs "$n")"$'\n'
    [[ $procs == *" libvirtd"$'\n'* ]] && lv=up
    [[ $procs == *" virtlogd"$'\n'* ]] && vl=up
    sshd_pid "$n" >/dev/null && sd=up
    if timeout 1 bash -c "exec 3<>/dev/tcp/10.200.$n.2/22" 2>/dev/null; then port=open; fi
    [ $lv = up ] && vms="$(virsh_in "$n" list --name 2>/dev/null | grep -c . || true)"
  fi
  printf '%-6s %-12s %-10s %-8s %-8s %-6s %-12s %s\n' "lab$n" "10.200.$n.2" $netns $lv $vl $sd $port "$vms"
  [ $netns = up ] && [ $lv = up ] && [ $vl = up ] && [ $sd = up ] && [ $port = open ]
}

cmd_status() {
  local n bad=0 hosts tmp rc running=0
  hosts="$(known_hosts_list)"
  [ -n "$hosts" ] || { echo "(no lab hosts; run scripts/lab.sh up)"; return 1; }
  snapshot_ps
  tmp="$(mktemp -d)"
  for n in $hosts; do
    { rc=0; status_line "$n" >"$tmp/$n" || rc=$?; echo "$rc" >"$tmp/$n.rc"; } &
  done
  wait
  printf '%-6s %-12s %-10s %-8s %-8s %-6s %-12s %s\n' HOST ADDRESS NETNS LIBVIRTD VIRTLOGD SSHD SSH-PORT-22 "RUNNING-VMS"
  for n in $hosts; do
    cat "$tmp/$n"
    read -r rc <"$tmp/$n.rc"
    case "$rc" in 0) running=$((running + 1)) ;; 2) ;; *) bad=1 ;; esac
  done
  rm -rf "$tmp"
  [ "$running" -gt 0 ] || { echo "(no lab host is running)"; bad=1; }
  return $bad
}

main() {
  local cmd="${1:-}"; shift || true
  case "$cmd" in
    up|down|sshd-stop|sshd-start|guest-serial|nixos-standin|purge) need_root ;;
    status) need_root ;;
    *) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
  mkdir -p "$LAB"
  # One lab.sh at a time (tests and benchmarks may call `up` concurrently).
  exec 8>"$LAB/.lock"
  flock 8
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    sshd-stop) valid_n "${1:-}"; holder_pid "$1" >/dev/null || die "lab$1 is not running"; stop_sshd "$1"; echo "lab$1: sshd stopped" ;;
    sshd-start) valid_n "${1:-}"; holder_pid "$1" >/dev/null || die "lab$1 is not running"; sshd_pid "$1" >/dev/null || start_sshd "$1"; echo "lab$1: sshd running" ;;
    guest-serial) valid_n "${1:-}"; cmd_guest_serial "$1" ;;
    nixos-standin) valid_n "${1:-}"; cmd_nixos_standin "$1" ;;
    purge) cmd_down; rm -rf "$LAB"; echo "lab: removed $LAB" ;;
  esac
}

main "$@"
