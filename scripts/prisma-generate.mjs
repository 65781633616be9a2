// Runs `prisma generate` offline. The Prisma 7 CLI insists on a native schema
// engine it would download (unreachable here); generation itself needs no engine,
// so any executable will do (docs/architecture.md,
// "Prisma without its CLI engine"). Runs at `npm ci` (postinstall) and before
// build, start and test: lib/generated/prisma is not committed.
import { spawnSync } from 'node:child_process';

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
