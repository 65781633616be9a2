#!/bin/sh
# deploy-libvirt.sh — the one script run of a libvirt deployment
# (lib/deploy/strategies/libvirt.ts), after the revision's files were uploaded
# into DIR (vms/NAME.xml, cloud-init/NAME/{user-data,meta-data}). inside_pool
# (inside-pool.sh) is prepended when loaded; this comment block is not sent.
#
# Arguments: URI DIR ACTIONS TIMEOUT SEEDS MARK [FORCE...]
#   URI      qemu:///system or qemu:///session (anything else is refused)
#   DIR      the deploy folder; DIR/state/NAME.define holds "UUID XMLSHA" of
#            the definition last defined (a domain is defined again when it
#            differs, when the domain is missing, or when NAME is in FORCE),
#            DIR/state/NAME.seed the hash of the seed ISO last built
#   ACTIONS  the action file: one action per line, fields separated by tabs,
#            "-" for an empty field (lib/deploy/strategies/libvirt-actions.ts):
#     vm     NAME UUID XMLSHA AUTOSTART(0|1) POWER(running|stopped) FIRMWARE
#     disk   NAME KIND(volume|file) POOL VOLUME PATH GIB FORMAT BASENAME BASEPATH BASEFORMAT
#     seed   NAME ISO HASH
#     remove NAME UUID FIRMWARE DELETEDISKS(0|1)
#     rmdisk NAME KIND POOL VOLUME PATH          (only for removals with deleteDisks)
#   TIMEOUT  seconds an ACPI shutdown may take before the domain is forced off
#   SEEDS    the folder of the cloud-init seed ISOs
#   MARK     a random word (hex) that starts every line TypeScript parses
#   FORCE    VM names to define even when their stamp says nothing changed
#
# The file is data: names, UUIDs, kinds and numbers are checked against
# patterns, paths are resolved (realpath, inside_pool) before a disk is created
# or deleted, nothing is evaluated, paths reach virsh / qemu-img / rm after
# `--`; the only command lists run in batches (one virsh for up to 100
# commands) are made of checked names, UUIDs and DIR.
#
# Order: check everything first and fail before any change (a missing base
# image, a disk outside every pool, a name taken by another domain, no ISO
# tool); then shut down what must stop (ACPI, forced off after TIMEOUT),
# undefine removed VMs (their disks only with deleteDisks, only inside a
# pool), create missing disks — a disk that exists is never touched —
# (a volume, or a file directly in a pool's folder: `virsh vol-create-as`,
# then the base image by `qemu-img convert -n` into it, or, when the login
# cannot write libvirt's files, `virsh vol-upload` + `vol-resize`; a file
# deeper in a pool's folder: `qemu-img create` + `convert -n`), build seed
# ISOs (genisoimage, mkisofs, xorriso or cloud-localds), define new and
# changed domains, set autostart, start what should run. A running VM is
# never restarted: a new definition applies at its next boot. Then the
# report: per VM `dominfo` and `dumpxml --inactive` (the persistent
# definition, which is what was deployed; a running VM's live XML keeps the
# old definition until it restarts).
#
# Output: "@@MARK KIND NAME TEXT" lines — log (what was done), defined, fail
# (what failed; exit 1), applied (all actions ran), info / xml (followed by
# virsh's output), end. NAME is "-" for the host.

set -eu
uri=$1 dir=$2 actions=$3 timeout=$4 seeds=$5 mark=$6
shift 6

NL='
'
TAB=$(printf '\t')

# Few forks per VM: a host may have thousands, and each fork counts on a busy host.
out() {
  case $3 in
    *"$NL"*) printf '@@%s %s %s %s\n' "$mark" "$1" "$2" "$(printf '%s' "$3" | tr '\n' ' ')" ;;
    *) printf '@@%s %s %s %s\n' "$mark" "$1" "$2" "$3" ;;
  esac
}
say() { out log "$1" "$2"; }
fail() {
  out fail "$1" "$2"
  exit 1
}
has() {
  case "$1" in *"$NL$2$NL"*) return 0 ;; esac
  return 1
}
valid_name() {
  case $1 in '' | [!a-z]* | *[!a-z0-9-]*) return 1 ;; esac
}
valid_uuid() {
  case $1 in *[!0-9a-f-]*) return 1 ;; esac
  [ "${#1}" -eq 36 ]
}
v() { virsh -q -c "$uri" "$@" </dev/null; }
# The first line of a file into $line ("" when there is none), without a fork.
first_line() {
  line=''
  if [ -f "$1" ]; then IFS= read -r line <"$1" || true; fi
}

case $mark in '' | *[!0-9a-f]*) echo "deploy-libvirt.sh: bad marker" >&2; exit 2 ;; esac
case $uri in qemu:///system | qemu:///session) ;; *) fail - "refused libvirt URI $uri (only qemu:///system or qemu:///session)" ;; esac
for folder in "$dir" "$seeds"; do
  case $folder in /*) ;; *) fail - "not an absolute folder: $folder" ;; esac
  case $folder in *[!A-Za-z0-9/_.-]*) fail - "refused folder name: $folder" ;; esac
done
case $timeout in '' | *[!0-9]*) fail - "the shutdown timeout must be a number of seconds" ;; esac
[ -r "$actions" ] || fail - "the action file $actions is missing"
force=$NL
for name in "$@"; do
  valid_name "$name" || fail - "refused VM name $name"
  force="$force$name$NL"
done

work=$(mktemp -d) || fail - "cannot make a temporary folder"
trap 'rm -rf "$work"' EXIT
mkdir -p -- "$dir/state" "$dir/tmp" || fail - "cannot create $dir/state"

# ------------------------------------------------------------ batches of virsh --
# run_batch FILE: lines "NAME<TAB>virsh command" run through one virsh per 100
# commands, each after a marker on stderr. Sets $failed ("NAME<TAB>error"
# lines) and $failed_names (NL-framed list).
run_batch() {
  : >"$work/batch-err"
  cmds='' n=0
  while IFS="$TAB" read -r bname bcmd; do
    cmds="${cmds}echo --err @@$mark $bname; $bcmd; "
    n=$((n + 1))
    if [ "$n" -ge 100 ]; then
      virsh -c "$uri" "$cmds" >/dev/null 2>>"$work/batch-err" </dev/null || true
      cmds='' n=0
    fi
  done <"$1"
  if [ -n "$cmds" ]; then virsh -c "$uri" "$cmds" >/dev/null 2>>"$work/batch-err" </dev/null || true; fi
  failed=$(awk -v m="error: @@$mark " 'BEGIN { name = "-" } index($0, m) == 1 { name = $3; next } /^error: / { print name "\t" substr($0, 8) }' "$work/batch-err")
  failed_names="$NL$(printf '%s\n' "$failed" | cut -f 1)$NL"
}

# Report the failures of a batch and stop; nothing when none failed.
fail_batch() { # WHAT
  [ -n "$failed" ] || return 0
  printf '%s\n' "$failed" | while IFS="$TAB" read -r fname ferr; do say "$fname" "$1 failed: $ferr"; done
  first=$(printf '%s\n' "$failed" | head -n 1)
  count=$(printf '%s\n' "$failed" | cut -f 1 | sort -u | wc -l)
  if [ "$count" -eq 1 ]; then fail "${first%%"$TAB"*}" "$1 failed: ${first#*"$TAB"}"; fi
  fail - "$1 failed for $count VMs: $(printf '%s\n' "$failed" | cut -f 1 | sort -u | tr '\n' ' ')(see the log)"
}

# ------------------------------------------------------------- the host now --
# One virsh for the three lists: every domain ("uuid name"), the active ones, the autostarted ones.
lists() {
  virsh -c "$uri" "list --all --uuid --name; echo @@$mark; list --uuid; echo @@$mark; list --all --autostart --uuid" \
    >"$work/raw" 2>"$work/err" </dev/null || true
  [ ! -s "$work/err" ] || fail - "cannot reach libvirt at $uri: $(cat "$work/err")"
  rm -f "$work/list" "$work/list1" "$work/list2"
  awk -v m="@@$mark" -v w="$work" '$0 == m { part++; next } { sub(/[[:space:]]+$/, ""); if ($0 != "") print > (w "/list" part) }' "$work/raw"
  touch "$work/list" "$work/list1" "$work/list2"
  pairs="$NL$(cat "$work/list")$NL"
  uuids="$NL$(sed -n 's/^\([0-9a-f-]*\) .*/\1/p' "$work/list")$NL"
  names="$NL$(sed -n 's/^[0-9a-f-]* //p' "$work/list")$NL"
  active="$NL$(cat "$work/list1")$NL"
  autostarted="$NL$(cat "$work/list2")$NL"
}
lists

# Pools: "name<TAB>folder" lines; only when disks are involved.
: >"$work/pooldirs"
active_pools=$NL
if grep -q -e "^disk$TAB" -e "^rmdisk$TAB" "$actions"; then
  v pool-list --all --name >"$work/raw" 2>"$work/err" || fail - "cannot list the storage pools: $(cat "$work/err")"
  sed 's/[[:space:]]*$//' "$work/raw" >"$work/pools"
  while IFS= read -r pool; do
    [ -n "$pool" ] || continue
    folder=$(v pool-dumpxml -- "$pool" 2>/dev/null | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -n 1)
    [ -z "$folder" ] || printf '%s\t%s\n' "$pool" "$folder" >>"$work/pooldirs"
  done <"$work/pools"
  active_pools="$NL$(v pool-list --name | sed 's/[[:space:]]*$//')$NL"
fi

# pool_dir NAME: the pool's folder into $pd (no fork); 1 when the pool is not defined.
pool_dir() {
  pd=''
  while IFS="$TAB" read -r pn pp; do
    if [ "$pn" = "$1" ]; then
      pd=$pp
      return 0
    fi
  done <"$work/pooldirs"
  return 1
}

# pool_holding PATH: the pool whose folder holds PATH after resolving symlinks,
# into $hp (name) and $hd (folder); the deepest wins. 1 when none does.
pool_holding() {
  hp='' hd=''
  while IFS="$TAB" read -r pn pp; do
    [ "$(inside_pool "$pp" "$1")" = ok ] || continue
    if [ "${#pp}" -gt "${#hd}" ]; then hp=$pn hd=$pp; fi
  done <"$work/pooldirs"
  [ -n "$hp" ]
}

verdict_words() { # VERDICT FILE ROOT
  case $1 in
    forbidden) echo "$2 or its pool folder $3 resolves into a system folder" ;;
    no-pool) echo "the pool folder $3 of $2 does not exist" ;;
    *) echo "$2 resolves (through a symlink or \"..\") to a place outside its pool folder $3" ;;
  esac
}

# disk_file KIND POOL VOLUME PATH: where the disk is, into $df, without
# resolving anything (for "does it exist"); 1 when its pool is not defined.
disk_file() {
  if [ "$1" = volume ]; then
    pool_dir "$2" || return 1
    df=$pd/$3
  else
    df=$4
  fi
}

# locate KIND POOL VOLUME PATH — before a disk is created or deleted: sets
# loc_pool, loc_root, loc_file and loc_vol (the volume name when the file is
# a volume of loc_pool, i.e. directly in its folder), or loc_err and returns
# 1. The file must resolve (realpath) inside the pool's folder.
locate() {
  loc_pool='' loc_root='' loc_file='' loc_vol='' loc_err=''
  if [ "$1" = volume ]; then
    if ! pool_dir "$2"; then
      loc_err="storage pool $2 is not defined on the host"
      return 1
    fi
    loc_pool=$2 loc_root=$pd loc_file=$pd/$3 loc_vol=$3
  else
    if ! pool_holding "$4"; then
      loc_err="$4 is not inside any storage pool of the host (after resolving symlinks); Hostdeck only creates and deletes disks inside a pool"
      return 1
    fi
    loc_pool=$hp loc_root=$hd loc_file=$4
    if [ "$(realpath -m -- "$(dirname -- "$4")")" = "$(realpath -e -- "$loc_root")" ]; then loc_vol=$(basename -- "$4"); fi
  fi
  verdict=$(inside_pool "$loc_root" "$loc_file")
  if [ "$verdict" != ok ]; then
    loc_err=$(verdict_words "$verdict" "$loc_file" "$loc_root")
    return 1
  fi
}

base_bytes() { qemu-img info -U -- "$1" 2>/dev/null </dev/null | sed -n 's/^virtual size: .*(\([0-9]*\) bytes).*/\1/p' | head -n 1; }

base_allowed() { # PATH: inside a pool folder or Hostdeck's image folder
  [ "$(inside_pool /var/lib/hostdeck/images "$1")" = ok ] && return 0
  pool_holding "$1"
}

seed_tool() {
  for tool in genisoimage mkisofs xorriso cloud-localds; do
    if command -v "$tool" >/dev/null 2>&1; then
      echo "$tool"
      return 0
    fi
  done
  return 1
}

seed_stale() { # NAME ISO HASH
  [ -e "$2" ] || return 0
  first_line "$dir/state/$1.seed"
  [ "$line" != "$3" ]
}

# ---------------------------------------------------------------- preflight --
# Everything is checked before anything changes.
tool=''
while IFS="$TAB" read -r kind name f1 f2 f3 f4 f5 f6 f7 f8 f9; do
  case $kind in '' | '#'*) continue ;; esac
  valid_name "$name" || fail - "refused VM name in the action file: $name"
  case $kind in
    vm)
      uuid=$f1
      valid_uuid "$uuid" || fail "$name" "refused UUID $uuid"
      [ -r "$dir/vms/$name.xml" ] || fail "$name" "its domain XML $dir/vms/$name.xml is missing on the host"
      if has "$names" "$name" && ! has "$pairs" "$uuid $name"; then
        fail "$name" "another domain named $name (not UUID $uuid) is defined on the host; Hostdeck does not replace it — rename or remove that domain first"
      fi
      if has "$uuids" "$uuid" && ! has "$pairs" "$uuid $name"; then
        fail "$name" "the domain with UUID $uuid has another name on the host; Hostdeck does not rename domains"
      fi
      case "$f3$f4" in 0running | 1running | 0stopped | 1stopped) ;; *) fail "$name" "bad autostart/power fields" ;; esac
      ;;
    disk)
      dkind=$f1 pool=$f2 vol=$f3 path=$f4 gib=$f5 format=$f6 bname=$f7 bpath=$f8 bformat=$f9
      case $dkind in volume | file) ;; *) fail "$name" "bad disk kind $dkind" ;; esac
      case $gib in '' | *[!0-9]*) fail "$name" "bad disk size $gib" ;; esac
      case $format in qcow2 | raw) ;; *) fail "$name" "bad disk format $format" ;; esac
      disk_file "$dkind" "$pool" "$vol" "$path" || fail "$name" "disk refused: storage pool $pool is not defined on the host"
      # A disk that exists is never touched; only one to create is checked further.
      if [ -e "$df" ]; then continue; fi
      locate "$dkind" "$pool" "$vol" "$path" || fail "$name" "disk refused: $loc_err"
      if [ -n "$loc_vol" ] && ! has "$active_pools" "$loc_pool"; then
        fail "$name" "storage pool $loc_pool is not active on the host (virsh pool-start $loc_pool); the disk $loc_file cannot be created"
      fi
      [ "$bpath" != - ] || continue
      case $bformat in qcow2 | raw) ;; *) fail "$name" "bad base image format $bformat" ;; esac
      base_allowed "$bpath" || fail "$name" "base image $bname ($bpath) is neither inside a storage pool of the host nor in /var/lib/hostdeck/images (after resolving symlinks)"
      [ -f "$bpath" ] || fail "$name" "base image $bname is missing on the host: $bpath does not exist"
      [ -r "$bpath" ] || fail "$name" "base image $bname ($bpath) is not readable by $(id -un)"
      bytes=$(base_bytes "$bpath")
      [ -n "$bytes" ] || fail "$name" "qemu-img cannot read base image $bname ($bpath)"
      [ "$bytes" -le $((gib * 1073741824)) ] || fail "$name" "base image $bname is $bytes bytes, larger than the ${gib} GiB disk $loc_file"
      ;;
    seed)
      [ "$f1" = "$seeds/$name.iso" ] || fail "$name" "refused seed ISO path $f1"
      for part in user-data meta-data; do
        [ -r "$dir/cloud-init/$name/$part" ] || fail "$name" "its cloud-init $part is missing on the host"
      done
      if [ -z "$tool" ] && seed_stale "$name" "$f1" "$f2"; then
        tool=$(seed_tool) || fail "$name" "no tool to build the cloud-init seed ISO on the host: install genisoimage (Debian/Ubuntu: apt install genisoimage), or xorriso, or cloud-image-utils (cloud-localds)"
      fi
      ;;
    remove)
      valid_uuid "$f1" || fail "$name" "refused UUID $f1"
      ;;
    rmdisk)
      case $f1 in volume | file) ;; *) fail "$name" "bad disk kind $f1" ;; esac
      # Gone already (a removal deployed before): nothing to check.
      if disk_file "$f1" "$f2" "$f3" "$f4" && [ ! -e "$df" ] && [ ! -L "$df" ]; then continue; fi
      locate "$f1" "$f2" "$f3" "$f4" || fail "$name" "not deleting its disk: $loc_err"
      ;;
    *) fail "$name" "unknown action $kind" ;;
  esac
done <"$actions"

# -------------------------------------------------------------------- stops --
: >"$work/stop"
while IFS="$TAB" read -r kind name f1 f2 f3 f4 f5; do
  if [ "$kind" = remove ] && has "$active" "$f1"; then printf '%s\t%s\n' "$name" "$f1" >>"$work/stop"; fi
  if [ "$kind" = vm ] && [ "$f4" = stopped ] && has "$active" "$f1"; then printf '%s\t%s\n' "$name" "$f1" >>"$work/stop"; fi
done <"$actions"
if [ -s "$work/stop" ]; then
  # Errors of the ACPI request (a paused guest, one that went down meanwhile) are not fatal: force off follows.
  sed "s/$TAB\(.*\)/${TAB}shutdown -- \1/" "$work/stop" >"$work/batch"
  run_batch "$work/batch"
  waited=0
  while :; do
    now="$NL$(v list --uuid | sed 's/[[:space:]]*$//')$NL"
    : >"$work/left"
    while IFS="$TAB" read -r name uuid; do
      if has "$now" "$uuid"; then printf '%s\t%s\n' "$name" "$uuid" >>"$work/left"; fi
    done <"$work/stop"
    [ -s "$work/left" ] || break
    [ "$waited" -lt "$timeout" ] || break
    sleep 1
    waited=$((waited + 1))
  done
  left="$NL$(cut -f 1 "$work/left")$NL"
  if [ -s "$work/left" ]; then
    sed "s/$TAB\(.*\)/${TAB}destroy -- \1/" "$work/left" >"$work/batch"
    run_batch "$work/batch"
    fail_batch "force off"
  fi
  while IFS="$TAB" read -r name uuid; do
    if has "$left" "$name"; then
      say "$name" "did not shut down within ${timeout} s of the ACPI request: forced off (virsh destroy)"
    else
      say "$name" "shut down"
    fi
  done <"$work/stop"
  lists
fi

# ----------------------------------------------------------------- removals --
: >"$work/batch"
: >"$work/removing"
while IFS="$TAB" read -r kind name f1 f2 f3 f4; do
  [ "$kind" = remove ] || continue
  if has "$uuids" "$f1"; then
    if [ "$f2" = uefi ]; then
      printf '%s\tundefine --managed-save --nvram -- %s\n' "$name" "$f1" >>"$work/batch"
    else
      printf '%s\tundefine --managed-save -- %s\n' "$name" "$f1" >>"$work/batch"
    fi
    printf '%s\t%s\n' "$name" "$f3" >>"$work/removing"
  fi
  # Hostdeck's own files of the VM (never a disk).
  printf '%s\n%s\n%s\n%s\n%s\n' "$dir/state/$name.define" "$dir/state/$name.seed" "$dir/vms/$name.xml" "$seeds/$name.iso" "$dir/cloud-init/$name" >>"$work/own"
done <"$actions"
if [ -s "$work/batch" ]; then
  run_batch "$work/batch"
  fail_batch undefine
  while IFS="$TAB" read -r name deleting; do
    if [ "$deleting" = 1 ]; then say "$name" "undefined"; else say "$name" "undefined; its disks are kept"; fi
  done <"$work/removing"
fi
if [ -s "$work/own" ]; then tr '\n' '\0' <"$work/own" | xargs -0 rm -rf --; fi
while IFS="$TAB" read -r kind name f1 f2 f3 f4; do
  [ "$kind" = rmdisk ] || continue
  if disk_file "$f1" "$f2" "$f3" "$f4" && [ ! -e "$df" ] && [ ! -L "$df" ]; then continue; fi
  locate "$f1" "$f2" "$f3" "$f4" || fail "$name" "not deleting its disk: $loc_err"
  if [ -n "$loc_vol" ]; then
    v pool-refresh -- "$loc_pool" >/dev/null 2>&1 || true
    v vol-delete --pool "$loc_pool" -- "$loc_vol" >/dev/null 2>"$work/err" || fail "$name" "deleting disk $loc_file failed: $(cat "$work/err")"
  else
    rm -f -- "$loc_file" 2>"$work/err" || fail "$name" "deleting disk $loc_file failed: $(cat "$work/err")"
  fi
  say "$name" "disk $loc_file deleted"
done <"$actions"

# -------------------------------------------------------------------- disks --
fill_from_base() { # NAME POOL VOLUME GIB FORMAT BASEPATH BASEFORMAT
  target=$(v vol-path --pool "$2" -- "$3" 2>"$work/err") || fail "$1" "vol-path failed: $(cat "$work/err")"
  if [ -w "$target" ]; then
    qemu-img convert -n -f "$7" -O "$5" -- "$6" "$target" </dev/null >/dev/null 2>"$work/err" || fail "$1" "copying the base image into $target failed: $(cat "$work/err")"
    return 0
  fi
  # libvirtd owns the file (a login that is not root): copy through libvirt.
  source=$6
  if [ "$7" != "$5" ] || qemu-img info -U -- "$6" 2>/dev/null </dev/null | grep -q '^backing file:'; then
    source="$dir/tmp/$3.hostdeck-$$"
    qemu-img convert -f "$7" -O "$5" -- "$6" "$source" </dev/null >/dev/null 2>"$work/err" || {
      rm -f -- "$source"
      fail "$1" "converting the base image failed: $(cat "$work/err")"
    }
  fi
  v vol-upload --pool "$2" --sparse -- "$3" "$source" >/dev/null 2>"$work/err" || {
    [ "$source" = "$6" ] || rm -f -- "$source"
    fail "$1" "uploading the base image into volume $2/$3 failed: $(cat "$work/err")"
  }
  [ "$source" = "$6" ] || rm -f -- "$source"
  now=$(v vol-info --bytes --pool "$2" -- "$3" 2>/dev/null | sed -n 's/^Capacity: *\([0-9]*\) bytes$/\1/p')
  if [ "${now:-0}" -lt $(($4 * 1073741824)) ]; then
    v vol-resize --pool "$2" -- "$3" "${4}G" >/dev/null 2>"$work/err" || fail "$1" "growing volume $2/$3 to $4 GiB failed: $(cat "$work/err")"
  fi
}

while IFS="$TAB" read -r kind name dkind pool vol path gib format bname bpath bformat; do
  [ "$kind" = disk ] || continue
  disk_file "$dkind" "$pool" "$vol" "$path" || fail "$name" "disk refused: storage pool $pool is not defined on the host"
  if [ -e "$df" ]; then continue; fi
  locate "$dkind" "$pool" "$vol" "$path" || fail "$name" "disk refused: $loc_err"
  if [ -n "$loc_vol" ]; then
    v vol-create-as --pool "$loc_pool" --name "$loc_vol" --capacity "${gib}G" --format "$format" >/dev/null 2>"$work/err" ||
      fail "$name" "creating volume $loc_pool/$loc_vol failed: $(cat "$work/err")"
    if [ "$bpath" != - ]; then fill_from_base "$name" "$loc_pool" "$loc_vol" "$gib" "$format" "$bpath" "$bformat"; fi
  else
    mkdir -p -- "$(dirname -- "$loc_file")" 2>"$work/err" || fail "$name" "creating the folder of $loc_file failed: $(cat "$work/err")"
    qemu-img create -q -f "$format" -- "$loc_file" "${gib}G" </dev/null >/dev/null 2>"$work/err" || fail "$name" "creating $loc_file failed: $(cat "$work/err")"
    if [ "$bpath" != - ]; then
      qemu-img convert -n -f "$bformat" -O "$format" -- "$bpath" "$loc_file" </dev/null >/dev/null 2>"$work/err" ||
        fail "$name" "copying the base image into $loc_file failed: $(cat "$work/err")"
    fi
  fi
  if [ "$bpath" != - ]; then
    say "$name" "disk $loc_file created ($gib GiB $format) from base image $bname"
  else
    say "$name" "disk $loc_file created ($gib GiB $format, empty)"
  fi
done <"$actions"

# -------------------------------------------------------------------- seeds --
while IFS="$TAB" read -r kind name iso hash; do
  [ "$kind" = seed ] || continue
  seed_stale "$name" "$iso" "$hash" || continue
  mkdir -p -- "$seeds"
  tmp="$iso.hostdeck-$$.tmp"
  src="$dir/cloud-init/$name"
  case $tool in
    genisoimage | mkisofs) "$tool" -quiet -input-charset utf-8 -o "$tmp" -V cidata -J -r "$src/user-data" "$src/meta-data" </dev/null >/dev/null 2>"$work/err" ;;
    xorriso) xorriso -as mkisofs -quiet -o "$tmp" -V cidata -J -r "$src/user-data" "$src/meta-data" </dev/null >/dev/null 2>"$work/err" ;;
    *) cloud-localds "$tmp" "$src/user-data" "$src/meta-data" </dev/null >/dev/null 2>"$work/err" ;;
  esac || {
    rm -f -- "$tmp"
    fail "$name" "building the cloud-init seed ISO with $tool failed: $(cat "$work/err")"
  }
  # Readable by QEMU's user (as the NixOS module installs it); the user-data sources stay 0600.
  chmod 0644 "$tmp"
  mv -f -- "$tmp" "$iso"
  printf '%s\n' "$hash" >"$dir/state/$name.seed"
  say "$name" "cloud-init seed $iso built ($tool)"
done <"$actions"

# ------------------------------------------------------------------- define --
: >"$work/batch"
: >"$work/defining"
while IFS="$TAB" read -r kind name uuid xmlsha f4 f5 f6; do
  [ "$kind" = vm ] || continue
  if has "$uuids" "$uuid" && ! has "$force" "$name"; then
    first_line "$dir/state/$name.define"
    [ "$line" != "$uuid $xmlsha" ] || continue
  fi
  printf '%s\tdefine -- %s/vms/%s.xml\n' "$name" "$dir" "$name" >>"$work/batch"
  printf '%s\t%s\t%s\n' "$name" "$uuid" "$xmlsha" >>"$work/defining"
done <"$actions"
if [ -s "$work/batch" ]; then
  run_batch "$work/batch"
  while IFS="$TAB" read -r name uuid xmlsha; do
    if has "$failed_names" "$name"; then continue; fi
    printf '%s %s\n' "$uuid" "$xmlsha" >"$dir/state/$name.define"
    out defined "$name" ''
    if ! has "$uuids" "$uuid"; then
      say "$name" "defined (new)"
    elif has "$active" "$uuid"; then
      say "$name" "definition updated; it keeps running as it is and takes the new definition at its next restart (Hostdeck does not restart it)"
    else
      say "$name" "definition updated"
    fi
  done <"$work/defining"
  fail_batch define
  while IFS="$TAB" read -r name uuid xmlsha; do uuids="$uuids$uuid$NL"; done <"$work/defining"
fi

# ---------------------------------------------------------------- autostart --
: >"$work/batch"
: >"$work/autostart"
while IFS="$TAB" read -r kind name uuid xmlsha auto f5 f6; do
  [ "$kind" = vm ] || continue
  if [ "$auto" = 1 ] && ! has "$autostarted" "$uuid"; then
    printf '%s\tautostart -- %s\n' "$name" "$uuid" >>"$work/batch"
    printf '%s\tautostart on\n' "$name" >>"$work/autostart"
  elif [ "$auto" = 0 ] && has "$autostarted" "$uuid"; then
    printf '%s\tautostart --disable -- %s\n' "$name" "$uuid" >>"$work/batch"
    printf '%s\tautostart off\n' "$name" >>"$work/autostart"
  fi
done <"$actions"
if [ -s "$work/batch" ]; then
  run_batch "$work/batch"
  fail_batch autostart
  while IFS="$TAB" read -r name what; do say "$name" "$what"; done <"$work/autostart"
fi

# -------------------------------------------------------------------- start --
: >"$work/batch"
while IFS="$TAB" read -r kind name uuid xmlsha auto power f6; do
  [ "$kind" = vm ] || continue
  if [ "$power" = running ] && ! has "$active" "$uuid"; then printf '%s\tstart -- %s\n' "$name" "$uuid" >>"$work/batch"; fi
done <"$actions"
if [ -s "$work/batch" ]; then
  run_batch "$work/batch"
  fail_batch start
  while IFS="$TAB" read -r name cmd; do say "$name" "started"; done <"$work/batch"
fi
out applied - ''

# ------------------------------------------------------------------- report --
: >"$work/batch"
while IFS="$TAB" read -r kind name uuid rest; do
  case $kind in vm | remove) ;; *) continue ;; esac
  has "$uuids" "$uuid" || continue
  printf '%s\techo @@%s info %s; dominfo -- %s; echo @@%s xml %s; dumpxml --inactive -- %s\n' "$name" "$mark" "$name" "$uuid" "$mark" "$name" "$uuid" >>"$work/batch"
done <"$actions"
cmds='' n=0
while IFS="$TAB" read -r name cmd; do
  cmds="$cmds$cmd; "
  n=$((n + 1))
  if [ "$n" -ge 100 ]; then
    virsh -c "$uri" "$cmds" 2>/dev/null </dev/null || true
    cmds='' n=0
  fi
done <"$work/batch"
if [ -n "$cmds" ]; then virsh -c "$uri" "$cmds" 2>/dev/null </dev/null || true; fi
out end - ''
