// lib/db/migrate.ts — owns applying the committed Prisma migrations at start-up,
// without the Prisma CLI (whose native schema engine cannot be downloaded here)
// and without wasm on the start-up path.
//
// It keeps Prisma's own bookkeeping, so `prisma migrate status/deploy` (or the
// wasm schema engine) would read the same history:
//   - migrations are `<migrationsDir>/<name>/migration.sql`, applied in the order
//     Prisma uses (folder names sorted with localeCompare);
//   - the `_prisma_migrations` table has Prisma's DDL; a row per attempt with
//     checksum = sha256 hex of migration.sql, started_at, finished_at,
//     applied_steps_count = 1 once applied;
//   - the whole run holds Prisma's advisory lock (72707369), so several app
//     processes starting at once apply each migration exactly once.
// Stricter than `prisma migrate deploy`: an applied migration whose file changed
// (checksum differs, line endings aside, as in Prisma's own comparison) stops the
// start, as does a migration recorded as failed. Each migration runs in one
// transaction together with its bookkeeping row, the script sent as ONE query
// (never split on `;`, so `$$` bodies survive): it is applied entirely or not at
// all. A failure is recorded as rolled back (with its error in `logs`), which
// Prisma treats as not applied, and reported with the line it failed on.

import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

/** Prisma Migrate's advisory lock key (schema-engine, postgres flavour). */
export const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** Prisma's DDL for the history table (schema-engine `create_migrations_table`, PostgreSQL). */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
`;

export type MigrationErrorCode =
  | 'MIGRATION_MODIFIED'
  | 'MIGRATION_FAILED_EARLIER'
  | 'MIGRATION_FAILED'
  | 'MIGRATION_UNREADABLE'
  | 'LOCK_TIMEOUT';

export class MigrationError extends Error {
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly migrationName?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface LocalMigration {
  /** Folder name, e.g. `20260101120000_init`. */
  name: string;
  /** Contents of migration.sql. */
  sql: string;
  /** sha256 hex of migration.sql's bytes (what Prisma stores). */
  checksum: string;
}

export interface ApplyMigrationsOptions {
  /** How long to wait for another process holding the migration lock (default 10 min). */
  lockTimeoutMs?: number;
  /** Progress messages (migration names only). Quiet by default. */
  onLog?: (message: string) => void;
}

export function checksumOf(sql: string | Buffer): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Prisma compares checksums with the script as-is, with CRLF→LF, and with LF→CRLF. */
function matchesChecksum(sql: string, checksum: string): boolean {
  const candidates = [sql, sql.replaceAll('\r\n', '\n'), sql.replaceAll('\n', '\r\n')];
  return candidates.some((s) => checksumOf(s) === checksum);
}

/** The migrations in a Prisma migrations folder, in the order Prisma applies them. */
export async function readMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const dir = path.resolve(migrationsDir);
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  names.sort((a, b) => a.localeCompare(b));
  const out: LocalMigration[] = [];
  for (const name of names) {
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(path.join(dir, name, 'migration.sql'));
    } catch (err) {
      throw new MigrationError(
        'MIGRATION_UNREADABLE',
        `Migration ${name}: cannot read ${path.join(dir, name, 'migration.sql')} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        name,
      );
    }
    out.push({ name, sql: bytes.toString('utf8'), checksum: checksumOf(bytes) });
  }
  return out;
}

interface HistoryRow {
  id: string;
  checksum: string;
  finished_at: Date | null;
  migration_name: string;
  logs: string | null;
  rolled_back_at: Date | null;
  started_at: Date;
  applied_steps_count: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function acquireLock(client: pg.Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [PRISMA_MIGRATE_LOCK_KEY]);
    if (rows[0]?.ok) return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        'LOCK_TIMEOUT',
        `Timed out after ${Math.round(timeoutMs / 1000)}s waiting for the migration lock (pg advisory lock ${PRISMA_MIGRATE_LOCK_KEY}) held by another session`,
      );
    }
    await sleep(100);
  }
}

/** "line N" of the script from a Postgres error position (1-based character offset). */
function describePgError(err: unknown, sql: string): string {
  const e = err as { message?: string; position?: string; detail?: string; hint?: string; code?: string };
  let text = e.message ?? String(err);
  if (e.code) text += ` (SQLSTATE ${e.code})`;
  const pos = Number(e.position);
  if (Number.isInteger(pos) && pos > 0) {
    const before = sql.slice(0, pos - 1);
    const line = before.split('\n').length;
    const lineText = sql.split('\n')[line - 1]?.trim() ?? '';
    text += `\n  at line ${line} of migration.sql: ${lineText.slice(0, 200)}`;
  }
  if (e.detail) text += `\n  detail: ${e.detail}`;
  if (e.hint) text += `\n  hint: ${e.hint}`;
  return text;
}

/**
 * Apply the migrations of `migrationsDir` not yet recorded in `_prisma_migrations`.
 * Returns the names applied now (empty when the database was up to date).
 */
export async function applyMigrations(
  url: string,
  migrationsDir = 'prisma/migrations',
  options: ApplyMigrationsOptions = {},
): Promise<string[]> {
  const log = options.onLog ?? (() => undefined);
  const local = await readMigrations(migrationsDir);

  const client = new pg.Client({ connectionString: url, application_name: 'hostdeck-migrate' });
  client.on('error', () => undefined); // a dropped connection surfaces as a query error
  await client.connect();
  try {
    await acquireLock(client, options.lockTimeoutMs ?? 10 * 60_000);
    try {
      const { rows: reg } = await client.query<{ t: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS t`);
      if (!reg[0]?.t) await client.query(PRISMA_MIGRATIONS_TABLE_DDL);

      const { rows } = await client.query<HistoryRow>(
        'SELECT id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at ASC',
      );
      const live = rows.filter((r) => r.rolled_back_at === null);

      const failed = live.filter((r) => r.finished_at === null);
      if (failed.length > 0) {
        const f = failed[0]!;
        const logs = (f.logs ?? '').split('\n').slice(0, 8).join('\n  ');
        throw new MigrationError(
          'MIGRATION_FAILED_EARLIER',
          `Migration ${f.migration_name} is recorded as failed in _prisma_migrations (started ${f.started_at.toISOString()}); ` +
            `refusing to apply more migrations.${logs ? `\n  ${logs}` : ''}\n` +
            `Repair the database by hand, then mark it rolled back (what \`prisma migrate resolve --rolled-back\` does):\n` +
            `  UPDATE _prisma_migrations SET rolled_back_at = now() WHERE migration_name = '${f.migration_name.replaceAll("'", "''")}' AND finished_at IS NULL AND rolled_back_at IS NULL;`,
          f.migration_name,
        );
      }

      const appliedByName = new Map<string, HistoryRow>();
      for (const r of live) appliedByName.set(r.migration_name, r);
      for (const m of local) {
        const row = appliedByName.get(m.name);
        if (row && !matchesChecksum(m.sql, row.checksum)) {
          throw new MigrationError(
            'MIGRATION_MODIFIED',
            `Migration ${m.name} was modified after it was applied: its checksum in _prisma_migrations is ${row.checksum}, ` +
              `the file's is now ${m.checksum}. Restore ${path.join(migrationsDir, m.name, 'migration.sql')} ` +
              `(e.g. with git) and put the change in a new migration instead.`,
            m.name,
          );
        }
      }

      const applied: string[] = [];
      for (const m of local) {
        if (appliedByName.has(m.name)) continue;
        await applyOne(client, m);
        applied.push(m.name);
        log(`applied migration ${m.name}`);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function applyOne(client: pg.Client, m: LocalMigration): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, clock_timestamp(), 0)',
      [id, m.checksum, m.name],
    );
    // One simple-protocol query: Postgres runs every statement of the script, in order.
    await client.query(m.sql);
    await client.query(
      'UPDATE _prisma_migrations SET finished_at = clock_timestamp(), applied_steps_count = applied_steps_count + 1 WHERE id = $1',
      [id],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    const message = describePgError(err, m.sql);
    // Keep a trace, marked rolled back: Prisma (and we) treat it as not applied.
    await client
      .query(
        'INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at, rolled_back_at, applied_steps_count) VALUES ($1, $2, $3, $4, clock_timestamp(), clock_timestamp(), 0)',
        [randomUUID(), m.checksum, m.name, message],
      )
      .catch(() => undefined);
    throw new MigrationError(
      'MIGRATION_FAILED',
      `Migration ${m.name} failed and was rolled back (nothing of it was applied): ${message}`,
      m.name,
    );
  }
}
