#!/bin/sh
# nixos-arm-rollback.sh — the NixOS strategy's magic rollback, armed on the host
# before `nixos-rebuild switch` (lib/deploy/strategies/nixos.ts), after
# deploy-rs's `activate` and its canary file.
#
#   sh -c SCRIPT hostdeck-nixos-rollback SCRIPT arm DIR GEN CONFIRM_S ACTIVATION_S MODULE OLD NEW
#
# (the script's own text comes again as the first argument, so `arm` can start
# it once more as the detached watcher; this comment block is not sent).
#   DIR           /var/lib/hostdeck/nixos-rollback/<token>: created here with the
#                 canary file DIR/canary; the watcher's log (DIR/log) and verdict
#                 (DIR/result) end up there too
#   GEN           the system generation to switch back to (the one before the switch)
#   CONFIRM_S     how long after the activation finished Hostdeck has to confirm
#   ACTIVATION_S  how long `nixos-rebuild switch` may take
#   MODULE OLD NEW  /etc/nixos/hostdeck and the folders it pointed at before and
#                 now (OLD may be empty): on switch-back it points at OLD again
#
# `arm` starts the watcher in a session of its own (setsid, stdio closed, SIGHUP
# ignored), so neither the end of the SSH session nor an activation that cuts
# Hostdeck off stops it, and prints `armed <pid>`. The watcher then waits:
# - DIR/canary renamed to DIR/confirmed (Hostdeck confirmed on a fresh SSH
#   connection): done, nothing to do;
# - DIR/activated (written by nixos-host.sh switch) says the activation failed,
#   or Hostdeck revoked the switch (nixos-host.sh revoke): switch back at once;
# - no confirmation within CONFIRM_S after the activation finished (or, should
#   its end never be recorded, within ACTIVATION_S + CONFIRM_S after the profile
#   changed): switch back.
# Who decides is settled by one rename of DIR/canary (Hostdeck's confirmation
# and the watcher's timeout cannot both win). Switching back, like
# `nixos-rebuild switch --rollback` but to exactly GEN:
#   nix-env -p /nix/var/nix/profiles/system --switch-generation GEN
#   /nix/var/nix/profiles/system/bin/switch-to-configuration switch
# and /etc/nixos/hostdeck points at the previous upload again, so a later
# nixos-rebuild does not bring the unconfirmed revision back. The failed
# generation is kept (nix-env --list-generations shows it). Verdicts in
# DIR/result: confirmed | switched-back GEN from NEWER | nothing-to-switch-back |
# switch-back-failed REASON; each is also appended to
# /var/lib/hostdeck/nixos-rollback.log.

PROFILE=/nix/var/nix/profiles/system
BASE=/var/lib/hostdeck/nixos-rollback

as_root() {
  if [ "$(id -u)" = 0 ] || [ -w "${PROFILE%/*}" ]; then "$@"; else sudo -n -- "$@"; fi
}

die() { printf 'hostdeck-nixos-rollback: %s\n' "$*" >&2; exit 1; }

generation() {
  link="$(readlink "$PROFILE" 2>/dev/null)" || return 0
  link="${link##*/}"; link="${link#system-}"; link="${link%-link}"
  case "$link" in '' | *[!0-9]*) ;; *) printf '%s\n' "$link" ;; esac
}

number() { case "$1" in '' | *[!0-9]*) die "$2 must be a whole number, got '$1'" ;; esac; }

[ $# -ge 2 ] || die "usage: SCRIPT arm|watch DIR GEN CONFIRM_S ACTIVATION_S MODULE OLD NEW"
self="$1" mode="$2"
shift 2
[ $# = 7 ] || die "usage: SCRIPT $mode DIR GEN CONFIRM_S ACTIVATION_S MODULE OLD NEW"
dir="$1" gen="$2" confirm_s="$3" activation_s="$4" module="$5" old="$6" new="$7"
case "$dir" in "$BASE"/[0-9a-f]*) ;; *) die "not a switch-back folder: $dir" ;; esac
case "${dir#"$BASE"/}" in *[!0-9a-f]*) die "not a switch-back folder: $dir" ;; esac
number "$gen" generation; number "$confirm_s" CONFIRM_S; number "$activation_s" ACTIVATION_S
case "$module" in /*/hostdeck) ;; *) die "not a module folder: $module" ;; esac
for name in "$old" "$new"; do
  case "$name" in '' | .hostdeck.[0-9a-f]*) ;; *) die "not a Hostdeck module folder name: $name" ;; esac
  case "$name" in */* | *..*) die "not a Hostdeck module folder name: $name" ;; esac
done

if [ "$mode" = arm ]; then
  [ "$(generation)" = "$gen" ] || die "the system is at generation '$(generation)', not $gen"
  as_root true 2>/dev/null || die "root is needed to switch the system back: log in as root or allow passwordless sudo"
  as_root mkdir -p "$BASE" || die "cannot create $BASE"
  # Finished watchers' folders are kept a month for the record.
  as_root find "$BASE" -mindepth 1 -maxdepth 1 -type d -mtime +30 -exec rm -rf {} + 2>/dev/null
  [ ! -e "$dir" ] || die "$dir exists already"
  # The folder belongs to the SSH user, who writes the canary and the activation's exit status.
  as_root install -d -m 0755 -o "$(id -u)" -g "$(id -g)" "$dir" || die "cannot create $dir"
  : >"$dir/canary" || die "cannot write $dir/canary"
  # The subshell drops the session's stdio first: a redirection on a command
  # would keep copies of them open, and the SSH channel with them.
  (
    exec </dev/null >>"$dir/watcher.out" 2>&1
    as_root setsid sh -c "$self" hostdeck-nixos-rollback "$self" watch "$dir" "$gen" "$confirm_s" "$activation_s" "$module" "$old" "$new"
  ) &
  i=0
  while [ ! -s "$dir/watcher.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
  [ -s "$dir/watcher.pid" ] || die "the watcher did not start (see $dir/watcher.out)"
  printf 'armed %s\n' "$(cat "$dir/watcher.pid")"
  exit 0
fi
[ "$mode" = watch ] || die "unknown mode: $mode"

# ------------------------------------------------------------- watcher --
trap '' HUP PIPE INT
log() { printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$dir/log"; }
verdict() {
  printf '%s\n' "$1" >"$dir/result.tmp" && mv -f "$dir/result.tmp" "$dir/result"
  printf '%s %s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${dir##*/}" "$1" >>"${BASE%/*}/nixos-rollback.log"
  log "verdict: $1"
}

restore_module() {
  [ -L "$module" ] && [ "$(readlink "$module")" = "$new" ] || return 0
  if [ -n "$old" ]; then
    tmp="$(dirname "$module")/.hostdeck.link.$$"
    rm -f "$tmp"
    if ln -s "$old" "$tmp" && mv -T "$tmp" "$module"; then log "$module points at $old again"; fi
  else
    rm -f "$module" && log "$module removed (there was none before)"
  fi
}

switch_back() { # REASON
  from="$(generation)"
  log "switching back from generation $from to generation $gen: $1"
  if ! nix-env -p "$PROFILE" --switch-generation "$gen" >>"$dir/log" 2>&1; then
    verdict "switch-back-failed nix-env --switch-generation $gen failed"
    exit 1
  fi
  if ! "$PROFILE/bin/switch-to-configuration" switch </dev/null >>"$dir/log" 2>&1; then
    restore_module
    verdict "switch-back-failed generation $gen is the system profile again, but its switch-to-configuration failed"
    exit 1
  fi
  restore_module
  verdict "switched-back $gen from $from"
  exit 0
}

echo $$ >"$dir/watcher.pid.tmp" && mv -f "$dir/watcher.pid.tmp" "$dir/watcher.pid"
log "armed: switch back to generation $gen unless confirmed within ${confirm_s}s after the activation (activation may take ${activation_s}s)"
start="$(date +%s)"
changed_at=""
activated_at=""
while :; do
  now="$(date +%s)"
  if [ ! -e "$dir/canary" ]; then
    if [ -e "$dir/confirmed" ]; then
      log "confirmed by Hostdeck"
      verdict confirmed
      exit 0
    fi
    if [ -e "$dir/revoked" ]; then reason="Hostdeck revoked the switch"; else reason="the canary is gone without a confirmation"; fi
    log "$reason"
    if [ "$(generation)" != "$gen" ]; then switch_back "$reason"; fi
    verdict nothing-to-switch-back
    exit 0
  fi
  current="$(generation)"
  if [ -z "$changed_at" ] && [ "$current" != "$gen" ]; then
    changed_at="$now"
    log "the system profile is now generation $current"
  fi
  if [ -z "$activated_at" ] && [ -f "$dir/activated" ]; then
    activated_at="$now"
    read -r rc <"$dir/activated" || rc=unknown
    log "nixos-rebuild switch finished with exit status $rc"
    if [ "$rc" != 0 ] && mv "$dir/canary" "$dir/failed-activation" 2>/dev/null; then
      if [ "$(generation)" != "$gen" ]; then switch_back "the activation failed (exit $rc)"; fi
      log "the system profile is still generation $gen"
      verdict nothing-to-switch-back
      exit 0
    fi
  fi
  if [ -n "$activated_at" ]; then
    deadline=$((activated_at + confirm_s))
  elif [ -n "$changed_at" ]; then
    deadline=$((changed_at + activation_s + confirm_s))
  else
    deadline=$((start + activation_s + confirm_s))
  fi
  if [ "$now" -ge "$deadline" ] && mv "$dir/canary" "$dir/expired" 2>/dev/null; then
    if [ "$(generation)" != "$gen" ]; then switch_back "no confirmation within ${confirm_s}s"; fi
    log "no confirmation, and the system profile is still generation $gen"
    verdict nothing-to-switch-back
    exit 0
  fi
  sleep 0.2
done
