#!/usr/bin/env node
// The hostdeck command as a package bin: runs cli/index.ts through tsx.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const result = spawnSync(process.execPath, [tsx, path.join(root, 'cli/index.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, HOSTDECK_ROOT: process.env.HOSTDECK_ROOT ?? root, TSX_TSCONFIG_PATH: path.join(root, 'tsconfig.json') },
});
process.exit(result.status ?? 1);
