// Hostdeck's one process: the database (embedded by default), first-run setup,
// the job workers (host polling on pg-boss), Next.js pages, actions and API, and
// WebSocket upgrades for /console.
// Usage: tsx server.ts [--dev]     (PORT, HOST as in Next.js; see README)
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import next from 'next';
import { bootstrapDatabase, dataDir } from '@/lib/db/bootstrap';
import { disconnectDb } from '@/lib/db';
import { ensureFirstRun } from '@/lib/auth/users';
import { CONSOLE_PATH, handleConsoleUpgrade } from '@/lib/console/upgrade';
import { proxyTrustFromEnv, stampRequest } from '@/lib/server/request-headers';
import { guardRequest } from '@/lib/security/http-gate';
import { maxBodyBytes } from '@/lib/security/body-limit';

const dev = process.argv.includes('--dev');
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? process.env.HOSTNAME ?? '127.0.0.1';
const log = (message: string) => console.log(`[hostdeck] ${message}`);

async function main() {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a TCP port number, got "${process.env.PORT}"`);
  const proxyTrust = proxyTrustFromEnv(); // HOSTDECK_TRUST_PROXY, HOSTDECK_TRUSTED_HOPS
  const gate = { maxBodyBytes: maxBodyBytes(), dev };
  // The database and Next's preparation are independent: do both at once.
  const app = next({ dev, hostname, port, dir: process.cwd() });
  const [database] = await Promise.all([bootstrapDatabase({ log }), app.prepare()]);
  const firstRun = await ensureFirstRun();
  await (await import('@/lib/hosts/safety')).markUnsafeHostConfigs(log); // hosts with refused settings (a remote libvirt URI) are never contacted
  const handle = app.getRequestHandler();
  const nextUpgrade = app.getUpgradeHandler();

  const server = http.createServer((req, res) => {
    stampRequest(req, proxyTrust);
    if (guardRequest(req, res, gate)) return; // security headers; 413 and Origin: null answered here
    handle(req, res).catch((error: unknown) => {
      console.error('[hostdeck] request failed:', error instanceof Error ? error.message : error);
      if (!res.headersSent) res.writeHead(500).end('Internal error');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '').split('?')[0];
    stampRequest(req, proxyTrust);
    if (path === CONSOLE_PATH) {
      handleConsoleUpgrade(req, socket, head).catch(() => socket.destroy());
    } else if (dev && path?.startsWith('/_next/')) {
      void nextUpgrade(req, socket, head);
    } else {
      socket.destroy(); // unknown upgrade paths would otherwise stall the browser's other sockets
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, hostname, resolve);
  });
  // Background jobs start once pages are served: polling is not needed to answer requests.
  const jobs = process.env.HOSTDECK_JOBS !== '0' ? await import('@/lib/jobs') : null;
  if (jobs) {
    jobs
      .startJobs({ databaseUrl: database.url, log })
      .catch((error: unknown) => log(`background jobs did not start: ${error instanceof Error ? error.message : String(error)}`));
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = hostname === '0.0.0.0' || hostname === '::' ? 'localhost' : hostname;
  const url = `http://${shownHost}:${actualPort}`;
  log(`Hostdeck ${dev ? '(development) ' : ''}is running at ${url}`);
  if (firstRun.kind === 'admin-created')
    log(`Created the admin user "${firstRun.username}" from HOSTDECK_ADMIN_PASSWORD. Log in at ${url}/login`);
  if (firstRun.kind === 'setup-token') {
    const tokenFile = path.join(dataDir(), 'setup-token');
    await fs.mkdir(dataDir(), { recursive: true });
    await fs.writeFile(tokenFile, `${firstRun.token}\n`, { mode: 0o600 });
    log(`First run: create the admin account at ${url}/setup?token=${firstRun.token}`);
    log(`(the one-time token is also in ${tokenFile}; it expires ${firstRun.expiresAt.toISOString()})`);
  }
  if (firstRun.kind === 'has-users') log(`Log in at ${url}/login`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await app.close().catch(() => {});
    await jobs?.stopJobs().catch(() => {});
    await (await import('@/lib/ssh')).closeAll().catch(() => {});
    await disconnectDb();
    await database.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`[hostdeck] failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
