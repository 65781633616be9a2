// The committed migrations against a real PostgreSQL: lib/db/migrate.ts applies
// them with Prisma's bookkeeping, and the migrated database matches
// prisma/schema.prisma (tables, columns, types, nullability, defaults, indexes,
// foreign keys), as judged by Prisma's own schema engine (wasm).
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@/lib/db/embedded-postgres';
import { applyMigrations, MigrationError, readMigrations } from '@/lib/db/migrate';
import { applyMigrationsWithEngine, diffSql, isEmptyDiff } from '@/scripts/schema-engine';

const root = process.cwd();
const MIGRATIONS = path.join(root, 'prisma/migrations');
const SCHEMA = path.join(root, 'prisma/schema.prisma');

let tmp: string;
let server: EmbeddedPostgres;
let dbCounter = 0;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

/** A fresh empty database on the test server. */
async function freshDatabase(): Promise<string> {
  const name = `mig_${process.pid}_${++dbCounter}`;
  await query(server.urlFor('postgres'), `CREATE DATABASE ${name}`);
  return server.urlFor(name);
}

/** A copy of the migrations folder that a test may change. */
async function copyOfMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmp, 'migrations-'));
  await fs.cp(MIGRATIONS, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-migrations-test-'));
  server = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), database: 'postgres' });
});

afterAll(async () => {
  await server?.stop();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('committed migrations', () => {
  it('exist, in Prisma layout, for PostgreSQL', async () => {
    const local = await readMigrations(MIGRATIONS);
    expect(local.length).toBeGreaterThan(0);
    for (const m of local) expect(m.name).toMatch(/^\d{14}_[A-Za-z0-9_-]+$/);
    expect(await fs.readFile(path.join(MIGRATIONS, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
  });

  it('produce exactly prisma/schema.prisma: diff(migrations → schema) is empty', async () => {
    const sql = await diffSql({ url: server.url, from: { kind: 'migrations', dir: MIGRATIONS }, to: { kind: 'schema', path: SCHEMA } });
    expect(isEmptyDiff(sql), `missing from the migrations:\n${sql}`).toBe(true);
  });
});

describe('applyMigrations', () => {
  let url: string;
  let applied: string[];

  beforeAll(async () => {
    url = await freshDatabase();
    applied = await applyMigrations(url, MIGRATIONS);
  });

  it('applies every migration, in order', async () => {
    expect(applied).toEqual((await readMigrations(MIGRATIONS)).map((m) => m.name));
  });

  it('records _prisma_migrations rows as Prisma does', async () => {
    const rows = await query<{
      id: string;
      checksum: string;
      finished_at: Date | null;
      migration_name: string;
      logs: string | null;
      rolled_back_at: Date | null;
      started_at: Date;
      applied_steps_count: number;
    }>(url, 'SELECT * FROM _prisma_migrations ORDER BY started_at');
    expect(rows.map((r) => r.migration_name)).toEqual(applied);
    for (const r of rows) {
      const file = await fs.readFile(path.join(MIGRATIONS, r.migration_name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(file).digest('hex'));
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.finished_at!.getTime()).toBeGreaterThanOrEqual(r.started_at.getTime());
      expect(r.applied_steps_count).toBe(1);
      expect(r.logs).toBeNull();
      expect(r.rolled_back_at).toBeNull();
    }
  });

  it('creates the history table exactly as Prisma’s engine does, and the engine reads our history as up to date', async () => {
    const viaEngine = await freshDatabase();
    expect(await applyMigrationsWithEngine(viaEngine, MIGRATIONS)).toEqual(applied);
    const shape = (u: string) =>
      query(
        u,
        `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
           FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
      );
    expect(await shape(url)).toEqual(await shape(viaEngine));
    const engineRows = await query<{ migration_name: string; checksum: string; applied_steps_count: number }>(
      viaEngine,
      'SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY started_at',
    );
    const ourRows = await query(
      url,
      'SELECT migration_name, checksum, applied_steps_count, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY started_at',
    );
    expect(ourRows).toEqual(engineRows);
    // Prisma's `migrate deploy` finds nothing to do on a database we migrated.
    expect(await applyMigrationsWithEngine(url, MIGRATIONS)).toEqual([]);
  });

  it('leaves a database that matches prisma/schema.prisma: diff(live → schema) is empty', async () => {
    const sql = await diffSql({ url, from: { kind: 'url', url }, to: { kind: 'schema', path: SCHEMA } });
    expect(isEmptyDiff(sql), `the migrated database differs from the schema:\n${sql}`).toBe(true);
  });

  it('is a no-op the second time', async () => {
    const before = await query(url, 'SELECT id, finished_at FROM _prisma_migrations ORDER BY started_at');
    expect(await applyMigrations(url, MIGRATIONS)).toEqual([]);
    expect(await query(url, 'SELECT id, finished_at FROM _prisma_migrations ORDER BY started_at')).toEqual(before);
  });

  it('applies each migration once when several processes start at the same time', async () => {
    const target = await freshDatabase();
    const results = await Promise.all([1, 2, 3, 4].map(() => applyMigrations(target, MIGRATIONS)));
    expect(results.flat().sort()).toEqual([...applied].sort());
    expect(await query(target, 'SELECT migration_name FROM _prisma_migrations')).toHaveLength(applied.length);
  });

  it('refuses, clearly, when an applied migration was modified', async () => {
    const dir = await copyOfMigrations();
    const first = applied[0]!;
    await fs.appendFile(path.join(dir, first, 'migration.sql'), '\n-- edited after it was applied\n');
    const err = await applyMigrations(url, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as MigrationError).code).toBe('MIGRATION_MODIFIED');
    expect((err as Error).message).toContain(first);
    expect((err as Error).message).toMatch(/modified after it was applied/);
  });

  it('accepts the same file with CRLF line endings (as Prisma does)', async () => {
    const dir = await copyOfMigrations();
    const file = path.join(dir, applied[0]!, 'migration.sql');
    await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replaceAll('\n', '\r\n'));
    expect(await applyMigrations(url, dir)).toEqual([]);
  });

  it('refuses while a failed migration is recorded', async () => {
    const target = await freshDatabase();
    await applyMigrations(target, MIGRATIONS);
    await query(target, `INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at) VALUES ($1, $2, $3, $4, now())`, [
      '00000000-0000-4000-8000-000000000001',
      'f'.repeat(64),
      '29990101000000_broken',
      'ERROR: boom',
    ]);
    const err = await applyMigrations(target, MIGRATIONS).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe('MIGRATION_FAILED_EARLIER');
    expect((err as Error).message).toContain('29990101000000_broken');
    expect((err as Error).message).toContain('rolled_back_at');
  });

  it('applies a new migration in one transaction: all of it, or none of it and a clear error', async () => {
    const target = await freshDatabase();
    const dir = await copyOfMigrations();
    await applyMigrations(target, dir);

    // `$$` bodies and several statements in one script survive (sent as one query).
    await fs.mkdir(path.join(dir, '29990101000000_function'));
    await fs.writeFile(
      path.join(dir, '29990101000000_function', 'migration.sql'),
      `CREATE FUNCTION hostdeck_test_fn() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\nSELECT hostdeck_test_fn();\n`,
    );
    expect(await applyMigrations(target, dir)).toEqual(['29990101000000_function']);
    expect(await query(target, 'SELECT hostdeck_test_fn() AS v')).toEqual([{ v: 1 }]);

    await fs.mkdir(path.join(dir, '29990102000000_broken'));
    await fs.writeFile(
      path.join(dir, '29990102000000_broken', 'migration.sql'),
      `CREATE TABLE hostdeck_half (id int);\n\nINSERT INTO hostdeck_half VALUES ('not a number');\n`,
    );
    const err = await applyMigrations(target, dir).catch((e: unknown) => e);
    expect((err as MigrationError).code).toBe('MIGRATION_FAILED');
    expect((err as Error).message).toMatch(/29990102000000_broken/);
    expect((err as Error).message).toMatch(/invalid input syntax for type integer/);
    expect((err as Error).message).toMatch(/line 3 of migration\.sql: INSERT INTO hostdeck_half/);
    // Nothing of it stayed, and the attempt is kept as rolled back (Prisma ignores those).
    expect(await query(target, `SELECT to_regclass('hostdeck_half')::text AS t`)).toEqual([{ t: null }]);
    const rows = await query<{ finished_at: Date | null; rolled_back_at: Date | null; logs: string }>(
      target,
      `SELECT finished_at, rolled_back_at, logs FROM _prisma_migrations WHERE migration_name = '29990102000000_broken'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.finished_at).toBeNull();
    expect(rows[0]!.rolled_back_at).toBeInstanceOf(Date);
    expect(rows[0]!.logs).toMatch(/invalid input syntax/);

    // Fixed, it applies on the next start.
    await fs.writeFile(path.join(dir, '29990102000000_broken', 'migration.sql'), `CREATE TABLE hostdeck_half (id int);\n`);
    expect(await applyMigrations(target, dir)).toEqual(['29990102000000_broken']);
  });
});

describe('the schema check can fail', () => {
  it('an extra column in the schema diffs non-empty against the migrations and the migrated database', async () => {
    const schema = await fs.readFile(SCHEMA, 'utf8');
    // Add a column to the first model.
    const changed = schema.replace(/^(model \w+ \{\n)/m, '$1  hostdeckExtraColumn Int @default(7)\n');
    expect(changed).not.toBe(schema);
    const to = { kind: 'schema' as const, path: SCHEMA, content: changed };

    const fromMigrations = await diffSql({ url: server.url, from: { kind: 'migrations', dir: MIGRATIONS }, to });
    expect(isEmptyDiff(fromMigrations)).toBe(false);
    expect(fromMigrations).toMatch(/ADD COLUMN\s+"hostdeckExtraColumn" INTEGER NOT NULL DEFAULT 7/);

    const url = await freshDatabase();
    await applyMigrations(url, MIGRATIONS);
    const fromLive = await diffSql({ url, from: { kind: 'url', url }, to });
    expect(fromLive).toMatch(/ADD COLUMN\s+"hostdeckExtraColumn"/);
  });

  it('a database changed by hand diffs non-empty against the schema', async () => {
    const url = await freshDatabase();
    await applyMigrations(url, MIGRATIONS);
    const [first] = await query<{ table: string }>(
      url,
      `SELECT table_name AS table FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name LIMIT 1`,
    );
    expect(first).toBeDefined();
    await query(url, `ALTER TABLE "${first!.table}" ADD COLUMN hand_made text`);
    const sql = await diffSql({ url, from: { kind: 'url', url }, to: { kind: 'schema', path: SCHEMA } });
    expect(sql).toMatch(/DROP COLUMN "hand_made"/);
  });
});
