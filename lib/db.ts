// The Prisma client, built once per process with the pg driver adapter.
// The URL comes from DATABASE_URL, which the server and CLI set before anything
// imports this module (lib/db/bootstrap.ts starts the embedded Postgres when unset).
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/generated/prisma/client';

export type { Prisma } from '@/lib/generated/prisma/client';

const globalForPrisma = globalThis as unknown as { hostdeckPrisma?: PrismaClient };

function createClient(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error('DATABASE_URL is not set: start Hostdeck through server.ts or the hostdeck CLI, which start the embedded database');
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: Number(process.env.HOSTDECK_DB_POOL ?? 10) }) });
}

/** Lazily created so that importing this module never needs a database. */
export function getDb(): PrismaClient {
  globalForPrisma.hostdeckPrisma ??= createClient();
  return globalForPrisma.hostdeckPrisma;
}

export async function disconnectDb(): Promise<void> {
  const client = globalForPrisma.hostdeckPrisma;
  globalForPrisma.hostdeckPrisma = undefined;
  await client?.$disconnect();
}
