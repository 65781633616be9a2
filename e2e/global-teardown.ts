// After the browser tests. The web server's data folder (.data/e2e) is thrown
// away by the next run's start (playwright.config.ts: rm -rf before starting).
// As root in a checkout the `postgres` user cannot reach (a throw-away clone
// under /root or mktemp -d, as CI makes), lib/db/embedded relocates the
// cluster to /var/lib/hostdeck/<id>/postgres behind a symlink; a clone that is
// never started again would leave that folder behind for good (~40 MB a run).
// So remove it here, once the cluster is no longer used: Playwright stops the
// web server (and its PostgreSQL with it) after the global teardown, so the
// removal runs when the runner exits.
import fs from 'node:fs';
import path from 'node:path';
import { RELOCATION_ROOT } from '../lib/db/embedded/common';
import { e2eDataDir } from '../playwright.config';

/** The relocated home (/var/lib/hostdeck/<id>) of the data folder `configured`, or null when it was not relocated. */
export function relocatedHomeOf(configured: string): string | null {
  let target: string;
  try {
    target = path.resolve(path.dirname(configured), fs.readlinkSync(configured));
  } catch {
    return null; // not a symlink (not relocated), or gone
  }
  const home = path.dirname(target);
  return path.dirname(home) === RELOCATION_ROOT && path.basename(target) === path.basename(configured) ? home : null;
}

export default async function globalTeardown() {
  const configured = path.resolve(e2eDataDir, 'postgres');
  const home = relocatedHomeOf(configured);
  if (!home) return;
  process.once('exit', () => {
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(configured, { force: true }); // the link, now dangling
  });
}
