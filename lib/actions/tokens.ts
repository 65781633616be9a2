'use server';
// Server actions of API tokens: any signed-in user manages their own tokens;
// admins may revoke anyone's.
import { revalidatePath } from 'next/cache';
import { returnValidationErrors } from 'next-safe-action';
import { ActionError, authedAction } from '@/lib/actions/safe-action';
import { createTokenInputSchema, revokeTokenInputSchema } from '@/lib/auth/account-input';
import { createApiToken, revokeApiToken, TokenError } from '@/lib/auth/tokens';
import { audit } from '@/lib/auth/audit';

export const createTokenAction = authedAction
  .metadata({ actionName: 'token.create' })
  .inputSchema(createTokenInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    try {
      const { token, secret } = await createApiToken(ctx.user.id, parsedInput);
      await audit({ action: 'token.create', actor: ctx.user, ip: ctx.ip, targetType: 'token', targetId: token.id, details: { name: token.name, role: token.role } });
      revalidatePath('/settings/tokens');
      return { secret, name: token.name, role: token.role };
    } catch (error) {
      if (error instanceof TokenError) returnValidationErrors(createTokenInputSchema, { [error.field ?? 'name']: { _errors: [error.message] } });
      throw error;
    }
  });

export const revokeTokenAction = authedAction
  .metadata({ actionName: 'token.revoke' })
  .inputSchema(revokeTokenInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const token = await revokeApiToken(parsedInput.tokenId, ctx.user);
    if (!token) throw new ActionError('No such token');
    await audit({ action: 'token.revoke', actor: ctx.user, ip: ctx.ip, targetType: 'token', targetId: token.id, details: { name: token.name, ownerId: token.userId } });
    revalidatePath('/settings/tokens');
    return { message: `Token ${token.name} revoked.` };
  });
