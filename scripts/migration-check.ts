// scripts/migration-check.ts — `tsx scripts/migration-check.ts`: exits 0 when the
// committed migrations (prisma/migrations) produce exactly prisma/schema.prisma,
// else prints the SQL still missing and exits 1 (run migration-new to add it).
// Uses Prisma's wasm schema engine and a throw-away embedded PostgreSQL.
import path from 'node:path';
import { diffSql, isEmptyDiff } from './schema-engine';
import { root, runScript, withScratchPostgres } from './scratch-postgres';

runScript('migration-check', () =>
  withScratchPostgres(async (url) => {
    const sql = await diffSql({
      url,
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
  }),
);
