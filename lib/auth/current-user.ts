// The signed-in user of the current page or server action (session cookie),
// and the guards pages use: requireUser() sends strangers to /login and users
// without the role to /forbidden.
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE, validateSession } from '@/lib/auth/sessions';
import { hasRole, type Role } from '@/lib/auth/roles';

export const getCurrentUser = cache(async () => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  const result = await validateSession(token);
  return result?.user ?? null;
});

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof getCurrentUser>>>;

export async function requireUser(role: Role = 'viewer'): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) {
    const path = (await headers()).get('x-hostdeck-path') ?? '/';
    redirect(`/login?next=${encodeURIComponent(path)}`);
  }
  if (!hasRole(user.role, role)) redirect(`/forbidden?need=${role}`);
  return user;
}
