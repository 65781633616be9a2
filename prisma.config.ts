// Prisma 7 configuration: where the schema and migrations live. The database URL
// is resolved at run time by lib/db (embedded Postgres by default), not here.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
