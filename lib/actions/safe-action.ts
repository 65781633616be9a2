// The server-action clients (next-safe-action): every action declares its name
// and the role it needs; the middleware resolves the signed-in user, checks the
// role and hands the action the request's address for the audit log. A user
// whose password an admin set may do nothing but change it (and sign out).
import { createSafeActionClient, DEFAULT_SERVER_ERROR_MESSAGE } from 'next-safe-action';
import { headers } from 'next/headers';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/current-user';
import { hasRole, ROLES } from '@/lib/auth/roles';
import { audit } from '@/lib/auth/audit';
import { clientIp } from '@/lib/auth/request-meta';

/** An error whose message is safe and useful to show the user. */
export class ActionError extends Error {}

export const actionClient = createSafeActionClient({
  defineMetadataSchema: () => z.object({ actionName: z.string(), role: z.enum(ROLES).optional() }),
  defaultValidationErrorsShape: 'flattened',
  handleServerError(error) {
    if (error instanceof ActionError) return error.message;
    console.error('Server action failed:', error instanceof Error ? error.message : 'unknown error');
    return DEFAULT_SERVER_ERROR_MESSAGE;
  },
}).use(async ({ next }) => {
  const h = await headers();
  return next({ ctx: { ip: clientIp(h), userAgent: h.get('user-agent') } });
});

/** The actions a user who must change their password may still run. */
export const ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED: readonly string[] = ['user.change-password', 'auth.logout'];

/** Actions that need a signed-in user with at least `metadata.role` (default viewer). */
export const authedAction = actionClient.use(async ({ next, metadata, ctx }) => {
  const user = await getCurrentUser();
  if (!user) throw new ActionError('Your session has ended: log in again.');
  if (user.mustChangePassword && !ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED.includes(metadata.actionName)) {
    await audit({ action: metadata.actionName, actor: user, ip: ctx.ip, outcome: 'denied', details: { reason: 'password change required' } });
    throw new ActionError('Choose your own password first (Settings → Account): an admin set your current one.');
  }
  const required = metadata.role ?? 'viewer';
  if (!hasRole(user.role, required)) {
    await audit({ action: metadata.actionName, actor: user, ip: ctx.ip, outcome: 'denied', details: { required } });
    throw new ActionError(`This needs the ${required} role; you are ${user.role}.`);
  }
  return next({ ctx: { user } });
});
