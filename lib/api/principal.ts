// Who is calling the HTTP API: an API token (Authorization: Bearer hdk_…) or the
// browser session cookie. A token's role is capped by its ceiling. A browser
// session whose user must change their password (an admin set it) is refused
// with 403 password_change_required until they do; API tokens are not affected:
// a password reset revokes every token, so a token such a user holds was made
// after the reset by an operator with shell access (hostdeck token create), as
// for a service account that never signs in.
import type { NextRequest } from 'next/server';
import { validateApiToken } from '@/lib/auth/tokens';
import { readSessionCookie, validateSession } from '@/lib/auth/sessions';
import { isSecureRequest } from '@/lib/auth/request-meta';
import { DomainError } from '@/lib/errors';
import type { Role } from '@/lib/auth/roles';
import type { AuditActor } from '@/lib/audited';

export type Principal = {
  user: { id: string; username: string; role: Role };
  role: Role;
  via: 'token' | 'session';
  tokenId?: string;
};

/** The caller, or null when it sent no valid credentials; throws 403 for a session that must change its password first. */
export async function authenticate(req: NextRequest): Promise<Principal | null> {
  const authorization = req.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) return null;
    const result = await validateApiToken(match[1]!);
    return result ? { user: result.user, role: result.role, via: 'token', tokenId: result.token.id } : null;
  }
  const session = await validateSession(readSessionCookie(req.cookies, isSecureRequest(req.headers)));
  if (!session) return null;
  if (session.user.mustChangePassword) {
    throw new DomainError(
      'password_change_required',
      'Choose your own password first (Settings → Account in the web UI): an admin set your current one',
    );
  }
  return { user: session.user, role: session.user.role, via: 'session' };
}

/** What an audit entry records of the credential used: the token's id when a token acted. */
export function principalDetails(principal: Principal): { via: 'token' | 'session'; tokenId?: string } {
  return principal.tokenId ? { via: principal.via, tokenId: principal.tokenId } : { via: principal.via };
}

/** The caller as lib/audited records them: the user, via the API, with the credential used. */
export function apiActor(principal: Principal, ip: string | null): AuditActor {
  return { user: principal.user, via: 'api', ip, credential: principalDetails(principal) };
}

/** The caller as the change lifecycle sees them: the user with the effective role (a token's ceiling applies). */
export function changeActor(principal: Principal): { id: string; username: string; role: Role } {
  return { id: principal.user.id, username: principal.user.username, role: principal.role };
}
