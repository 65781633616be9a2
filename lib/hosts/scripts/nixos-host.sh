#!/bin/sh
# nixos-host.sh — the NixOS strategy's small operations on a host
# (lib/deploy/strategies/nixos.ts). Runs as
# `sh -c SCRIPT hostdeck-nixos COMMAND ARGS…`; this comment block is not sent.
# Every argument is a fixed path of Hostdeck's or a name the strategy made
# (checked again here); nothing typed by an operator reaches this script.
#
#   generation                 the system profile's generation number (empty: none)
#   swap MODULE NEW            point MODULE (/etc/nixos/hostdeck, a symlink) at the
#                              sibling folder NEW in one rename; prints previous=OLD
#   restore MODULE OLD NEW     point MODULE back at OLD (none: remove it) if it still
#                              points at NEW
#   dry-activate               nixos-rebuild dry-activate, output and errors together
#   switch DIR                 nixos-rebuild switch; its exit status goes to DIR/activated
#   confirm DIR                the deploy-rs style confirmation: renames DIR/canary
#   revoke DIR                 no confirmation: the watcher switches back at once
#   result DIR                 the watcher's verdict (exit 3 while it has none), then its log
#
# Commands that change the system run as root: directly when the SSH user is
# root or may write the system profile (single-user Nix), else with `sudo -n`.

PROFILE=/nix/var/nix/profiles/system

as_root() {
  if [ "$(id -u)" = 0 ] || [ -w "${PROFILE%/*}" ]; then "$@"; else sudo -n -- "$@"; fi
}

die() { printf 'hostdeck-nixos: %s\n' "$*" >&2; exit 1; }

generation() {
  link="$(readlink "$PROFILE" 2>/dev/null)" || return 0
  link="${link##*/}"; link="${link#system-}"; link="${link%-link}"
  case "$link" in '' | *[!0-9]*) ;; *) printf '%s\n' "$link" ;; esac
}

check_module() { # MODULE — Hostdeck's module folder, e.g. /etc/nixos/hostdeck
  case "$1" in /*/hostdeck) ;; *) die "not a module folder: $1" ;; esac
}

check_sibling() { # NAME — a folder the strategy made next to the module (or empty)
  case "$1" in '' | .hostdeck.[0-9a-f]*) ;; *) die "not a Hostdeck module folder name: $1" ;; esac
  case "$1" in */* | *..*) die "not a Hostdeck module folder name: $1" ;; esac
}

check_state() { # DIR — a deployment's folder of the armed switch-back
  case "$1" in /var/lib/hostdeck/nixos-rollback/[0-9a-f]*) ;; *) die "not a switch-back folder: $1" ;; esac
  case "$1" in */../* | */..) die "not a switch-back folder: $1" ;; esac
  [ -d "$1" ] || die "$1 does not exist (was the switch-back armed?)"
}

point_module_at() { # MODULE NAME — replace the symlink MODULE by one to NAME in one rename
  tmp="$(dirname "$1")/.hostdeck.link.$$"
  rm -f -- "$tmp"
  ln -s -- "$2" "$tmp" && mv -T -- "$tmp" "$1"
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  generation)
    generation
    ;;
  swap)
    module="$1" new="$2"
    check_module "$module"; check_sibling "$new"
    [ -n "$new" ] || die "swap needs the new folder's name"
    parent="$(dirname "$module")"
    [ -f "$parent/$new/default.nix" ] || die "$parent/$new/default.nix is missing; upload incomplete"
    previous=""
    if [ -L "$module" ]; then
      previous="$(readlink "$module")"
      case "$previous" in .hostdeck.*) ;; *) previous="" ;; esac
    elif [ -e "$module" ]; then
      # A folder from before Hostdeck managed it as a link: kept as the previous one.
      # Only this first swap leaves a moment without the module.
      previous=".hostdeck.$(date +%s)-preexisting"
      mv -T -- "$module" "$parent/$previous" || die "cannot move the existing $module aside"
    fi
    point_module_at "$module" "$new" || die "cannot point $module at $new"
    # Older uploads: only the current and the previous folder are kept.
    for old in "$parent"/.hostdeck.*; do
      [ -e "$old" ] || [ -L "$old" ] || continue
      name="${old##*/}"
      [ "$name" = "$new" ] || [ "$name" = "$previous" ] || rm -rf -- "$old"
    done
    printf 'previous=%s\n' "$previous"
    ;;
  restore)
    module="$1" old="$2" new="$3"
    check_module "$module"; check_sibling "$old"; check_sibling "$new"
    if [ -L "$module" ] && [ "$(readlink "$module")" = "$new" ]; then
      if [ -n "$old" ]; then point_module_at "$module" "$old" || die "cannot point $module back at $old"
      else rm -f -- "$module"; fi
      printf 'restored=%s\n' "$old"
    else
      printf 'unchanged\n'
    fi
    ;;
  dry-activate)
    as_root nixos-rebuild dry-activate </dev/null 2>&1
    ;;
  switch)
    dir="$1"; check_state "$dir"
    # Survive the SSH session: activation may restart the network or sshd. The
    # output goes to a file (a closed pipe must not end nixos-rebuild) and is
    # printed at the end; the exit status is what the switch-back watcher reads.
    trap '' HUP PIPE
    as_root nixos-rebuild switch </dev/null >"$dir/switch.log" 2>&1
    rc=$?
    printf '%s\n' "$rc" >"$dir/activated.tmp" && mv -f -- "$dir/activated.tmp" "$dir/activated"
    cat -- "$dir/switch.log"
    exit "$rc"
    ;;
  confirm)
    dir="$1"; check_state "$dir"
    if [ ! -f "$dir/activated" ]; then echo "activation has not finished yet"; exit 4; fi
    read -r rc <"$dir/activated" || rc=unknown
    if [ "$rc" != 0 ]; then echo "activation failed (exit $rc): not confirmed"; exit 5; fi
    # One rename decides between Hostdeck and the watcher: whoever renames the canary first.
    if mv -- "$dir/canary" "$dir/confirmed" 2>/dev/null; then echo confirmed; exit 0; fi
    printf 'too late: %s\n' "$(cat -- "$dir/result" 2>/dev/null || echo 'the watcher has given up waiting')"
    exit 3
    ;;
  revoke)
    dir="$1"; check_state "$dir"
    if mv -- "$dir/canary" "$dir/revoked" 2>/dev/null; then echo revoked; exit 0; fi
    echo "the watcher has decided already"
    exit 3
    ;;
  result)
    dir="$1"; check_state "$dir"
    [ -f "$dir/result" ] || exit 3
    cat -- "$dir/result"
    echo '@@log'
    cat -- "$dir/log" 2>/dev/null
    exit 0
    ;;
  *)
    die "unknown command: $cmd"
    ;;
esac
