// lib/deploy/lock — one deployment per host at a time across every app process.
//
// The lock is a PostgreSQL session advisory lock held on a connection of its
// own for as long as the deployment runs. PostgreSQL releases it when that
// connection ends, so a process that crashes or is killed cannot hold a host
// forever; and a `running` deployment whose host lock is free was abandoned by
// a process that died (lib/deploy/runner recoverInterrupted marks it so).
import pg from 'pg';

/** The first key of every host lock (the second is the host id's hash). */
const HOST_LOCK_CLASS = 7310100;

export type HostLock = { release(): Promise<void> };

function connect(): Promise<pg.Client> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const client = new pg.Client({ connectionString: url, application_name: 'hostdeck-deploy-lock' });
  // A lost connection loses the lock; the runner notices at its next step through the deployment row.
  client.on('error', () => {});
  return client.connect().then(() => client);
}

/** Takes the host's lock without waiting; null when another session holds it. */
export async function tryLockHost(hostId: string): Promise<HostLock | null> {
  const client = await connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
      HOST_LOCK_CLASS,
      hostId,
    ]);
    if (!rows[0]?.locked) {
      await client.end();
      return null;
    }
  } catch (error) {
    await client.end().catch(() => {});
    throw error;
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [HOST_LOCK_CLASS, hostId]).catch(() => {});
      await client.end().catch(() => {});
    },
  };
}
