// The server-action clients (next-safe-action): every action declares its name
// and the role it needs; the middleware resolves the signed-in user, checks the
// role and hands the action the request's address for the audit log. A user
// whose password an admin set may do nothing but change it (and sign out).
//
// Errors (lib/errors): actions just call lib/ and let a DomainError fly.
// handleServerError shows its message (serverError); an action behind a form
// wraps its body in withFieldErrors, so a DomainError naming a field comes back
// as that field's validation error (returnValidationErrors) instead. Anything
// else is logged and shown as next-safe-action's generic message.
import { createSafeActionClient, DEFAULT_SERVER_ERROR_MESSAGE, returnValidationErrors } from 'next-safe-action';
import { headers } from 'next/headers';
import { z } from 'zod';
import { getCurrentUser } from '@/lib/auth/current-user';
import { hasRole, ROLES } from '@/lib/auth/roles';
import { audit } from '@/lib/auth/audit';
import { clientIp } from '@/lib/auth/request-meta';

import { DomainError, messageOf } from '@/lib/errors';
import type { AuditActor } from '@/lib/audited';

export const actionClient = createSafeActionClient({
  defineMetadataSchema: () => z.object({ actionName: z.string(), role: z.enum(ROLES).optional() }),
  defaultValidationErrorsShape: 'flattened',
  handleServerError(error) {
    if (error instanceof DomainError) return error.message;
    console.error('Server action failed:', error instanceof Error ? messageOf(error) : 'unknown error');
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
  if (!user) throw new DomainError('unauthenticated', 'Your session has ended: log in again.');
  if (user.mustChangePassword && !ALLOWED_WHILE_PASSWORD_CHANGE_REQUIRED.includes(metadata.actionName)) {
    await audit({
      action: metadata.actionName,
      actor: user,
      ip: ctx.ip,
      outcome: 'denied',
      details: { reason: 'password change required' },
    });
    throw new DomainError(
      'password_change_required',
      'Choose your own password first (Settings → Account): an admin set your current one.',
    );
  }
  const required = metadata.role ?? 'viewer';
  if (!hasRole(user.role, required)) {
    await audit({ action: metadata.actionName, actor: user, ip: ctx.ip, outcome: 'denied', details: { required } });
    throw new DomainError('forbidden', `This needs the ${required} role; you are ${user.role}.`);
  }
  return next({ ctx: { user } });
});

/** The signed-in user of an action as lib/audited records them. */
export function webActor(ctx: { user: { id: string; username: string }; ip: string | null }): AuditActor {
  return { user: ctx.user, via: 'web', ip: ctx.ip, credential: { via: 'session' } };
}

/**
 * The body of an action behind a form: a DomainError naming a field becomes
 * that field's message under it (the form's validation errors); any other
 * error goes on to handleServerError.
 */
export function withFieldErrors<A extends unknown[], R>(body: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await body(...args);
    } catch (error) {
      if (error instanceof DomainError && error.field)
        returnValidationErrors(z.object({}), { [error.field]: { _errors: [error.message] } } as never);
      throw error;
    }
  };
}
