// HOSTDECK_SECRET_KEY, which encrypts SSH private keys at rest. With the embedded
// database a key is generated once into the data folder (next to the data it
// protects, mode 0600); with an external DATABASE_URL it must be given, and the
// server refuses to start without it.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const SECRET_KEY_FILE = 'secret-key';

export async function ensureSecretKey(options: { embeddedDataDir: string | null; log?: (m: string) => void }): Promise<void> {
  if (process.env.HOSTDECK_SECRET_KEY?.trim()) return;
  if (!options.embeddedDataDir) {
    throw new Error(
      'HOSTDECK_SECRET_KEY is not set. With an external DATABASE_URL, give it explicitly (e.g. `openssl rand -base64 32`); it encrypts SSH private keys at rest and must stay the same across restarts.',
    );
  }
  const file = path.join(options.embeddedDataDir, SECRET_KEY_FILE);
  let key: string;
  try {
    key = (await fs.readFile(file, 'utf8')).trim();
  } catch {
    key = randomBytes(32).toString('base64');
    await fs.mkdir(options.embeddedDataDir, { recursive: true });
    await fs.writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
      key = (await fs.readFile(file, 'utf8')).trim();
    });
    options.log?.(`Generated HOSTDECK_SECRET_KEY into ${file}; back it up with the data folder.`);
  }
  process.env.HOSTDECK_SECRET_KEY = key;
}
