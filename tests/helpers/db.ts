// A database of its own for one test file, on the run's embedded PostgreSQL,
// migrated like production; DATABASE_URL points lib/db at it.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { applyMigrations } from '@/lib/db/migrate';
import { disconnectDb } from '@/lib/db';

export function withDatabaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = withDatabaseUrl(serverUrl, name);
  await applyMigrations(url, path.join(process.cwd(), 'prisma/migrations'));
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Gives the calling test file a fresh migrated database as DATABASE_URL. */
export function useTestDatabase(): { url: () => string } {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    await disconnectDb();
    process.env.DATABASE_URL = db.url;
  });
  afterAll(async () => {
    await disconnectDb();
    await db?.drop();
  });
  return { url: () => db!.url };
}
