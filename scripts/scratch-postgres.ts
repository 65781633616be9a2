// The shared frame of the migration scripts: a throw-away embedded PostgreSQL in
// a temp folder for the wasm schema engine, removed afterwards, and the exit
// code (or error message) of the script's body.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from '../lib/db/embedded-postgres';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function withScratchPostgres(body: (url: string) => Promise<number>): Promise<number> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hostdeck-migration-'));
  const db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'postgres'), database: 'postgres' });
  try {
    return await body(db.url);
  } finally {
    await db.stop();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

export function runScript(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
