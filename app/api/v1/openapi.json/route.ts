// GET /api/v1/openapi.json — the OpenAPI document, generated from the zod schemas.
// Readable by any authenticated caller.
import { route } from '@/lib/api/endpoint';
import { openApiDocument } from '@/lib/api/openapi';
import { HOSTDECK_VERSION } from '@/lib/version';
import { z } from 'zod';

const openApiEndpoint = { id: 'openapi', method: 'GET', path: '/api/v1/openapi.json', tag: 'System', summary: 'This document', auth: { role: 'viewer' }, response: z.unknown() } as const;

export const GET = route(openApiEndpoint, async () => openApiDocument(HOSTDECK_VERSION));
