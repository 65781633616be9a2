// GET /api/v1/health — the only unauthenticated API route. Strangers learn only
// that the server and its database answer; the version is for signed-in users and tokens.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { assertDatabaseAnswers } from '@/lib/health';
import { HOSTDECK_VERSION } from '@/lib/version';

export const dynamic = 'force-dynamic';

export const GET = route(endpoints.health, async ({ principal }) => {
  await assertDatabaseAnswers();
  return { status: 'ok' as const, database: 'ok' as const, ...(principal ? { version: HOSTDECK_VERSION } : {}) };
});
