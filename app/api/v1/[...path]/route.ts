// Any other /api/v1 path: 401 without credentials, else 404 — JSON either way.
import type { NextRequest } from 'next/server';
import { authenticate } from '@/lib/api/principal';
import { domainErrorResponse, errorResponse } from '@/lib/api/errors';
import { DomainError } from '@/lib/errors';

async function notFound(req: NextRequest): Promise<Response> {
  try {
    if (!(await authenticate(req))) return errorResponse(401, 'unauthenticated', 'Authentication required');
  } catch (error) {
    if (error instanceof DomainError) return domainErrorResponse(error);
    throw error;
  }
  return errorResponse(404, 'not_found', `No API route ${req.method} ${req.nextUrl.pathname}`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
