// One API endpoint = one declaration (method, path, role, zod schemas of params,
// query, body and response). Route handlers are built from it by route(), and
// the OpenAPI document is generated from the same declarations.
import { NextResponse, type NextRequest } from 'next/server';
import type { z } from 'zod';
import { domainErrorResponse, errorResponse, invalidInputError } from '@/lib/api/errors';
import { DomainError, messageOf } from '@/lib/errors';
import { formatIssues } from '@/lib/spec';
import { authenticate, type Principal } from '@/lib/api/principal';
import { hasRole, type Role } from '@/lib/auth/roles';
import { audit } from '@/lib/auth/audit';
import { clientIp } from '@/lib/auth/request-meta';
import { BodyTooLargeError, declaredLengthExceeds, formatBytes, maxBodyBytes, readLimited } from '@/lib/security/body-limit';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export type Endpoint = {
  id: string;
  method: HttpMethod;
  /** OpenAPI-style path, e.g. /api/v1/tokens/{id} */
  path: string;
  summary: string;
  tag: string;
  /** 'public' only for health; otherwise the least role, and whether API tokens are refused. */
  auth: 'public' | { role: Role; sessionOnly?: boolean };
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  status?: number;
};

type Infer<T> = T extends z.ZodType ? z.infer<T> : undefined;

export type HandlerContext<E extends Endpoint> = {
  req: NextRequest;
  principal: E['auth'] extends 'public' ? Principal | null : Principal;
  params: Infer<E['params']>;
  query: Infer<E['query']>;
  body: Infer<E['body']>;
  ip: string | null;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };

const bodyLimit = maxBodyBytes();

/** The JSON body, read while counting bytes: 413 at the first chunk past the cap (HOSTDECK_MAX_BODY_BYTES). */
async function readJson(req: NextRequest): Promise<unknown> {
  const tooLarge = () => new DomainError('payload_too_large', `The request body is larger than the limit of ${formatBytes(bodyLimit)}`);
  if (declaredLengthExceeds(req.headers.get('content-length'), bodyLimit)) throw tooLarge();
  let bytes: Uint8Array;
  try {
    bytes = await readLimited(req.body, bodyLimit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw tooLarge();
    throw error;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DomainError('invalid_input', 'The request body is not valid UTF-8');
  }
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('invalid_input', 'The request body is not valid JSON');
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInputError(what, formatIssues(result.error));
  return result.data;
}

/**
 * Authenticates, authorises, validates, runs the handler and shapes errors as
 * JSON: a DomainError (lib/errors) thrown anywhere below becomes its code's
 * status and message; anything else is a 500 "internal", logged.
 */
export function route<E extends Endpoint>(endpoint: E, handler: (ctx: HandlerContext<E>) => Promise<unknown>) {
  return async (req: NextRequest, context: RouteContext): Promise<Response> => {
    const ip = clientIp(req.headers);
    try {
      // A public endpoint (health) answers whatever the credentials; they only add detail.
      const principal = endpoint.auth === 'public' ? await authenticate(req).catch(() => null) : await authenticate(req);
      if (endpoint.auth !== 'public') {
        if (!principal)
          throw new DomainError('unauthenticated', 'Authentication required: send a session cookie or "Authorization: Bearer <token>"');
        const { role, sessionOnly } = endpoint.auth;
        const readOnlyToken = principal.via === 'token' && principal.role === 'viewer' && endpoint.method !== 'GET';
        const denied = !hasRole(principal.role, role) || readOnlyToken || (sessionOnly && principal.via === 'token');
        if (denied) {
          await audit({
            action: `api.${endpoint.id}`,
            actor: principal.user,
            via: 'api',
            ip,
            outcome: 'denied',
            details: { required: role, via: principal.via },
          });
          const reason =
            sessionOnly && principal.via === 'token'
              ? 'API tokens cannot do this; sign in to the web UI'
              : `This needs the ${role} role; this ${principal.via} has ${principal.role}`;
          throw new DomainError('forbidden', reason);
        }
        if (principal.via === 'session' && endpoint.method !== 'GET') assertSameOrigin(req);
      }
      const params = endpoint.params ? parse(endpoint.params, await context.params, 'path parameters') : undefined;
      const query = endpoint.query ? parse(endpoint.query, Object.fromEntries(req.nextUrl.searchParams), 'query') : undefined;
      const body = endpoint.body ? parse(endpoint.body, await readJson(req), 'body') : undefined;
      const data = await handler({ req, principal, params, query, body, ip } as HandlerContext<E>);
      // A handler that shapes its own answer (a text or event stream) returns a Response.
      if (data instanceof Response) return data;
      return NextResponse.json(data, { status: endpoint.status ?? 200, headers: { 'cache-control': 'no-store' } });
    } catch (error) {
      if (error instanceof DomainError) return domainErrorResponse(error);
      console.error(`API ${endpoint.method} ${endpoint.path} failed:`, error instanceof Error ? messageOf(error) : 'unknown error');
      return errorResponse(500, 'internal', 'Internal error; see the server log');
    }
  };
}

/** The host of an Origin header, or null for "null", garbage or none. */
function originHost(origin: string | null): string | null {
  if (!origin || origin === 'null') return null;
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** Cookie-authenticated writes must come from our own pages (CSRF); "Origin: null" or a malformed one is cross-site too. */
function assertSameOrigin(req: NextRequest): void {
  const host = req.headers.get('host');
  const from = originHost(req.headers.get('origin'));
  if (!from || !host || from !== host)
    throw new DomainError('forbidden', 'Cross-site request refused: send an API token, or call from the Hostdeck web UI');
}
