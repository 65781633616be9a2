'use server';
// Server actions of user administration (admin only): create, set a role,
// disable/enable. Refusals are lib/auth/users' UserErrors (lib/errors); each
// operation is audited as the API and the CLI audit it (lib/operations).
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction, webActor, withFieldErrors } from '@/lib/actions/safe-action';
import { createUserInputSchema, setRoleInputSchema } from '@/lib/auth/account-input';
import { createUser, findUserOrThrow, setUserDisabled, setUserRole } from '@/lib/auth/users';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

export const createUserAction = authedAction
  .metadata({ actionName: 'user.create', role: 'admin' })
  .inputSchema(createUserInputSchema)
  .action(
    withFieldErrors(async ({ parsedInput, ctx }) => {
      const user = await audited(operations.createUser, parsedInput, webActor(ctx), () =>
        createUser({ ...parsedInput, mustChangePassword: true }, ctx.user),
      );
      revalidatePath('/settings/users');
      return { message: `User ${user.username} created. They must choose a new password at first login.` };
    }),
  );

export const setRoleAction = authedAction
  .metadata({ actionName: 'user.set-role', role: 'admin' })
  .inputSchema(setRoleInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const target = await findUserOrThrow(parsedInput.userId);
    const user = await audited(operations.setUserRole, { user: target, role: parsedInput.role }, webActor(ctx), () =>
      setUserRole(target.id, parsedInput.role, ctx.user),
    );
    revalidatePath('/settings/users');
    return { message: `${user.username} is now ${user.role}.` };
  });

const setDisabledInputSchema = z.object({ userId: z.uuid('Not a valid user id'), disabled: z.boolean() });

export const setDisabledAction = authedAction
  .metadata({ actionName: 'user.set-disabled', role: 'admin' })
  .inputSchema(setDisabledInputSchema)
  .action(async ({ parsedInput: { userId, disabled }, ctx }) => {
    const target = await findUserOrThrow(userId);
    const user = await audited(operations.setUserDisabled, { user: target, disabled }, webActor(ctx), () =>
      setUserDisabled(target.id, disabled, ctx.user),
    );
    revalidatePath('/settings/users');
    return {
      message: disabled
        ? `${user.username} is disabled: their sessions ended and their API tokens no longer work.`
        : `${user.username} is enabled again.`,
    };
  });
