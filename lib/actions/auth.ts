'use server';
// Server actions of signing in and out, first-run setup and changing one's password.
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { actionClient, authedAction, withFieldErrors } from '@/lib/actions/safe-action';
import { DomainError } from '@/lib/errors';
import { changePasswordInputSchema, loginInputSchema, setupInputSchema } from '@/lib/auth/account-input';
import { login } from '@/lib/auth/login';
import { safeNext } from '@/lib/auth/safe-next';
import {
  createSession,
  deleteSession,
  readSessionCookie,
  sessionCookieName,
  sessionCookieOptions,
  validateSession,
} from '@/lib/auth/sessions';
import { isSecureRequest } from '@/lib/auth/request-meta';
import { audit } from '@/lib/auth/audit';
import { changeOwnPassword, completeSetup } from '@/lib/auth/users';

export const loginAction = actionClient
  .metadata({ actionName: 'auth.login' })
  .inputSchema(loginInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const result = await login({ username: parsedInput.username, password: parsedInput.password, ip: ctx.ip, userAgent: ctx.userAgent });
    if (!result.ok) return { error: result.message, code: result.code };
    const secure = isSecureRequest(await headers());
    (await cookies()).set(sessionCookieName(secure), result.token, sessionCookieOptions(secure));
    redirect(result.user.mustChangePassword ? '/settings?must-change=1' : safeNext(parsedInput.next));
  });

export const logoutAction = actionClient.metadata({ actionName: 'auth.logout' }).action(async ({ ctx }) => {
  const jar = await cookies();
  const secure = isSecureRequest(await headers());
  const token = readSessionCookie(jar, secure);
  if (token) {
    const session = await validateSession(token);
    await deleteSession(token);
    if (session) await audit({ action: 'auth.logout', actor: session.user, ip: ctx.ip });
  }
  jar.set(sessionCookieName(secure), '', { ...sessionCookieOptions(secure), maxAge: 0 });
  redirect('/login');
});

export const setupAction = actionClient
  .metadata({ actionName: 'auth.setup' })
  .inputSchema(setupInputSchema)
  .action(
    withFieldErrors(async ({ parsedInput, ctx }) => {
      const user = await completeSetup(parsedInput).catch(async (error: unknown) => {
        if (error instanceof DomainError)
          await audit({
            action: 'auth.setup',
            actorName: parsedInput.username,
            ip: ctx.ip,
            outcome: 'failed',
            details: { reason: error.message },
          });
        throw error;
      });
      await audit({
        action: 'user.create',
        actor: user,
        ip: ctx.ip,
        targetType: 'user',
        targetId: user.id,
        details: { role: 'admin', firstRun: true },
      });
      const session = await createSession(user.id, { ip: ctx.ip, userAgent: ctx.userAgent });
      const secure = isSecureRequest(await headers());
      (await cookies()).set(sessionCookieName(secure), session.token, sessionCookieOptions(secure));
      redirect('/');
    }),
  );

export const changePasswordAction = authedAction
  .metadata({ actionName: 'user.change-password' })
  .inputSchema(changePasswordInputSchema)
  .action(
    withFieldErrors(async ({ parsedInput, ctx }) => {
      const token = readSessionCookie(await cookies(), isSecureRequest(await headers()));
      const entry = { action: 'user.change-password', actor: ctx.user, ip: ctx.ip, targetType: 'user', targetId: ctx.user.id } as const;
      const revoked = await changeOwnPassword(ctx.user.id, parsedInput.currentPassword, parsedInput.newPassword, token).catch(
        async (error: unknown) => {
          if (error instanceof DomainError) await audit({ ...entry, outcome: 'failed' });
          throw error;
        },
      );
      await audit({ ...entry, details: revoked });
      return { message: 'Password changed. Your other sessions were signed out and your API tokens revoked.' };
    }),
  );
