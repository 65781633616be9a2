// Brings the database up for a Hostdeck process (server or CLI): DATABASE_URL
// when set, else the embedded PostgreSQL in HOSTDECK_DATA_DIR; makes sure the
// secret key for SSH keys at rest is there; then applies the committed
// migrations and exports DATABASE_URL for lib/db.ts.
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@/lib/db/embedded-postgres';
import { applyMigrations } from '@/lib/db/migrate';
import { ensureSecretKey } from '@/lib/db/secret-key';
import type { Env } from '@/lib/env';

export type DatabaseHandle = { url: string; embedded: EmbeddedPostgres | null; applied: string[]; stop(): Promise<void> };

/** The project folder: HOSTDECK_ROOT (set by bin/hostdeck.mjs) or the working directory. */
export function projectRoot(env: Env = process.env): string {
  return path.resolve(env.HOSTDECK_ROOT ?? process.cwd());
}

export function dataDir(env: Env = process.env): string {
  return path.resolve(env.HOSTDECK_DATA_DIR ?? path.join(projectRoot(env), '.data'));
}

/**
 * `secretKey: 'optional'` (the CLI) tolerates a missing HOSTDECK_SECRET_KEY with an
 * external database; commands that need it then fail with lib/crypto's message.
 */
export async function bootstrapDatabase(
  options: { log?: (message: string) => void; migrate?: boolean; secretKey?: 'required' | 'optional' } = {},
): Promise<DatabaseHandle> {
  const log = options.log ?? (() => {});
  let embedded: EmbeddedPostgres | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    const dir = path.join(dataDir(), 'postgres');
    log(`Starting the embedded PostgreSQL in ${dir}`);
    embedded = await startEmbeddedPostgres({ dataDir: dir });
    // As root, when the postgres user cannot reach the folder: where the data and binaries really are.
    for (const note of embedded.placement.notes) log(`Embedded PostgreSQL: ${note}`);
    url = embedded.url;
    process.env.DATABASE_URL = url;
  }
  if (embedded || options.secretKey !== 'optional') await ensureSecretKey({ embeddedDataDir: embedded ? dataDir() : null, log });
  const applied = options.migrate === false ? [] : await applyMigrations(url, path.join(projectRoot(), 'prisma/migrations'));
  if (applied.length) log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
  return {
    url,
    embedded,
    applied,
    async stop() {
      await embedded?.stop();
    },
  };
}
