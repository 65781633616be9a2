// GET /api/v1/health — the only unauthenticated API route.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError } from '@/lib/api/errors';
import { getDb } from '@/lib/db';
import { HOSTDECK_VERSION } from '@/lib/version';

export const dynamic = 'force-dynamic';

export const GET = route(endpoints.health, async () => {
  try {
    await getDb().$queryRaw`SELECT 1`;
  } catch {
    throw new ApiError(503, 'internal', 'The database does not answer');
  }
  return { status: 'ok', version: HOSTDECK_VERSION, database: 'ok' };
});
