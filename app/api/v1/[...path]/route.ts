// Any other /api/v1 path: 401 without credentials, else 404 — JSON either way.
import type { NextRequest } from 'next/server';
import { authenticate } from '@/lib/api/principal';
import { errorResponse } from '@/lib/api/errors';

async function notFound(req: NextRequest): Promise<Response> {
  if (!(await authenticate(req))) return errorResponse(401, 'unauthenticated', 'Authentication required');
  return errorResponse(404, 'not_found', `No API route ${req.method} ${req.nextUrl.pathname}`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
