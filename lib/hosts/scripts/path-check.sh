#!/bin/sh
# path-check.sh — `checkHostPaths` (lib/hosts/safety.ts): arguments ROOT PATH,
# repeated; prints one inside_pool verdict per pair (inside-pool.sh, prepended
# when loaded). This comment block is not sent.

while [ "$#" -ge 2 ]; do inside_pool "$1" "$2"; shift 2; done
