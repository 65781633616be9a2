// scripts/migration-new.ts — `tsx scripts/migration-new.ts <name> [--draft]`: writes
// prisma/migrations/<timestamp>_<name>/migration.sql with the SQL that takes the
// committed migrations to prisma/schema.prisma (Prisma's folder layout, like
// `prisma migrate dev --create-only`). Runs Prisma's wasm schema engine against
// a throw-away embedded PostgreSQL in a temp folder; prints nothing secret.
// --draft writes an empty migration even when nothing changed (for hand-written SQL).
import path from 'node:path';
import { createMigration } from './schema-engine';
import { root, runScript, withScratchPostgres } from './scratch-postgres';

runScript('migration-new', async () => {
  const args = process.argv.slice(2);
  const draft = args.includes('--draft');
  const name = args.find((a) => !a.startsWith('--'));
  if (!name) {
    process.stderr.write('usage: migration-new <name> [--draft]\n');
    return 2;
  }
  return withScratchPostgres(async (url) => {
    const created = await createMigration(name, {
      url,
      schemaPath: path.join(root, 'prisma/schema.prisma'),
      migrationsDir: path.join(root, 'prisma/migrations'),
      draft,
    });
    if (!created.name) {
      process.stdout.write('prisma/schema.prisma already matches the migrations: no migration written (use --draft for an empty one)\n');
      return 0;
    }
    process.stdout.write(`wrote ${path.relative(root, created.file!)}\n`);
    return 0;
  });
});
