'use server';
// Server actions of user administration (admin only): create, set a role,
// reset a password (ends their sessions, revokes their tokens), disable/enable.
import { revalidatePath } from 'next/cache';
import { returnValidationErrors } from 'next-safe-action';
import { z } from 'zod';
import { ActionError, authedAction } from '@/lib/actions/safe-action';
import { createUserInputSchema, passwordSchema, setRoleInputSchema } from '@/lib/auth/account-input';
import { createUser, findUser, resetPassword, setUserDisabled, setUserRole, UserError } from '@/lib/auth/users';
import { audit } from '@/lib/auth/audit';

export const createUserAction = authedAction
  .metadata({ actionName: 'user.create', role: 'admin' })
  .inputSchema(createUserInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    try {
      const user = await createUser({ ...parsedInput, mustChangePassword: true }, ctx.user);
      await audit({ action: 'user.create', actor: ctx.user, ip: ctx.ip, targetType: 'user', targetId: user.id, details: { username: user.username, role: user.role } });
      revalidatePath('/settings/users');
      return { message: `User ${user.username} created. They must choose a new password at first login.` };
    } catch (error) {
      if (error instanceof UserError && error.field) returnValidationErrors(createUserInputSchema, { [error.field]: { _errors: [error.message] } });
      throw error;
    }
  });

export const setRoleAction = authedAction
  .metadata({ actionName: 'user.set-role', role: 'admin' })
  .inputSchema(setRoleInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    try {
      const user = await setUserRole(parsedInput.userId, parsedInput.role, ctx.user);
      await audit({ action: 'user.set-role', actor: ctx.user, ip: ctx.ip, targetType: 'user', targetId: user.id, details: { username: user.username, role: user.role } });
      revalidatePath('/settings/users');
      return { message: `${user.username} is now ${user.role}.` };
    } catch (error) {
      if (error instanceof UserError) throw new ActionError(error.message);
      throw error;
    }
  });

const setDisabledInputSchema = z.object({ userId: z.uuid('Not a valid user id'), disabled: z.boolean() });

export const setDisabledAction = authedAction
  .metadata({ actionName: 'user.set-disabled', role: 'admin' })
  .inputSchema(setDisabledInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const action = parsedInput.disabled ? 'user.disable' : 'user.enable';
    try {
      const user = await setUserDisabled(parsedInput.userId, parsedInput.disabled, ctx.user);
      await audit({ action, actor: ctx.user, ip: ctx.ip, targetType: 'user', targetId: user.id, details: { username: user.username, sessionsEnded: user.sessionsEnded } });
      revalidatePath('/settings/users');
      return { message: parsedInput.disabled ? `${user.username} is disabled: their sessions ended and their API tokens no longer work.` : `${user.username} is enabled again.` };
    } catch (error) {
      if (error instanceof UserError) {
        await audit({ action, actor: ctx.user, ip: ctx.ip, outcome: 'failed', targetType: 'user', targetId: parsedInput.userId, details: { reason: error.message } });
        throw new ActionError(error.message);
      }
      throw error;
    }
  });
