// The signed-in user of the current page or server action (session cookie),
// and the guards pages use: requireUser() sends strangers to /login, users who
// must change their password to the account page, and users without the role
// to /forbidden.
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { readSessionCookie, validateSession } from '@/lib/auth/sessions';
import { isSecureRequest } from '@/lib/auth/request-meta';
import { hasRole, type Role } from '@/lib/auth/roles';

export const getCurrentUser = cache(async () => {
  const token = readSessionCookie(await cookies(), isSecureRequest(await headers()));
  const result = await validateSession(token);
  return result?.user ?? null;
});

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof getCurrentUser>>>;

/** Where a user whose password an admin set must go first (login sends them there too). */
export const CHANGE_PASSWORD_PATH = '/settings';
export const CHANGE_PASSWORD_URL = `${CHANGE_PASSWORD_PATH}?must-change=1`;

/** The one page a user who must change their password may open. */
export function allowedWhilePasswordChangeRequired(path: string): boolean {
  const pathname = path.split(/[?#]/, 1)[0]!.replace(/\/+$/, '') || '/';
  return pathname === CHANGE_PASSWORD_PATH;
}

export async function requireUser(role: Role = 'viewer'): Promise<CurrentUser> {
  const user = await getCurrentUser();
  const path = (await headers()).get('x-hostdeck-path') ?? '/';
  if (!user) redirect(`/login?next=${encodeURIComponent(path)}`);
  if (user.mustChangePassword && !allowedWhilePasswordChangeRequired(path)) redirect(CHANGE_PASSWORD_URL);
  if (!hasRole(user.role, role)) redirect(`/forbidden?need=${role}`);
  return user;
}
