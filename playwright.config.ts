// Browser tests: Debian's Chromium driven by Playwright against the real app
// (production build, custom server, embedded PostgreSQL in .data/e2e).
import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3310);
export const e2eDataDir = '.data/e2e';

export default defineConfig({
  testDir: 'e2e',
  // removes a relocated embedded PostgreSQL of .data/e2e (root in an unreachable checkout) when the run ends
  globalTeardown: './e2e/global-teardown.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'first-run', testMatch: /first-run\.setup\.ts/ },
    { name: 'app', testMatch: /.*\.e2e\.ts/, dependencies: ['first-run'] },
  ],
  webServer: {
    command: `rm -rf ${e2eDataDir} && bash scripts/start.sh`,
    env: { PORT: String(port), HOST: '127.0.0.1', HOSTDECK_DATA_DIR: e2eDataDir, HOSTDECK_ADMIN_PASSWORD: '' },
    url: `http://127.0.0.1:${port}/api/v1/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
