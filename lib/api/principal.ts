// Who is calling the HTTP API: an API token (Authorization: Bearer hdk_…) or the
// browser session cookie. A token's role is capped by its ceiling.
import type { NextRequest } from 'next/server';
import { validateApiToken } from '@/lib/auth/tokens';
import { SESSION_COOKIE, validateSession } from '@/lib/auth/sessions';
import type { Role } from '@/lib/auth/roles';

export type Principal = {
  user: { id: string; username: string; role: Role };
  role: Role;
  via: 'token' | 'session';
  tokenId?: string;
};

export async function authenticate(req: NextRequest): Promise<Principal | null> {
  const authorization = req.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return null;
    const result = await validateApiToken(match[1]!);
    return result ? { user: result.user, role: result.role, via: 'token', tokenId: result.token.id } : null;
  }
  const session = await validateSession(req.cookies.get(SESSION_COOKIE)?.value);
  return session ? { user: session.user, role: session.user.role, via: 'session' } : null;
}
