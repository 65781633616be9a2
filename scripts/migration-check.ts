// scripts/migration-check.ts — `tsx scripts/migration-check.ts`: exits 0 when the
// committed migrations (prisma/migrations) produce exactly prisma/schema.prisma,
// else prints the SQL still missing and exits 1 (run migration-new to add it).
// Uses Prisma's wasm schema engine and a throw-away embedded PostgreSQL.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../lib/db/embedded-postgres';
import { diffSql, isEmptyDiff } from '../lib/db/schema-engine';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-migration-'));
  const db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), database: 'postgres' });
  try {
    const sql = await diffSql({
      url: db.url,
      from: { kind: 'migrations', dir: path.join(root, 'prisma/migrations') },
      to: { kind: 'schema', path: path.join(root, 'prisma/schema.prisma') },
    });
    if (isEmptyDiff(sql)) {
      process.stdout.write('prisma/migrations matches prisma/schema.prisma\n');
      return 0;
    }
    process.stdout.write(`prisma/schema.prisma differs from prisma/migrations; a new migration needs:\n\n${sql}\n`);
    process.stdout.write('Run: npx tsx scripts/migration-new.ts <name>\n');
    return 1;
  } finally {
    await db.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`migration-check: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
