'use server';
// Server actions of API tokens: any signed-in user manages their own tokens;
// admins may revoke anyone's. Audited as the API and the CLI audit them (lib/operations).
import { revalidatePath } from 'next/cache';
import { authedAction, webActor, withFieldErrors } from '@/lib/actions/safe-action';
import { createTokenInputSchema, revokeTokenInputSchema } from '@/lib/auth/account-input';
import { createApiToken, revokeApiTokenOrThrow } from '@/lib/auth/tokens';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

export const createTokenAction = authedAction
  .metadata({ actionName: 'token.create' })
  .inputSchema(createTokenInputSchema)
  .action(
    withFieldErrors(async ({ parsedInput, ctx }) => {
      const { token, secret } = await audited(operations.createToken, { owner: ctx.user, name: parsedInput.name }, webActor(ctx), () =>
        createApiToken(ctx.user.id, parsedInput),
      );
      revalidatePath('/settings/tokens');
      return { secret, name: token.name, role: token.role };
    }),
  );

export const revokeTokenAction = authedAction
  .metadata({ actionName: 'token.revoke' })
  .inputSchema(revokeTokenInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const token = await audited(operations.revokeToken, { tokenId: parsedInput.tokenId }, webActor(ctx), () =>
      revokeApiTokenOrThrow(parsedInput.tokenId, ctx.user),
    );
    revalidatePath('/settings/tokens');
    return { message: `Token ${token.name} revoked.` };
  });
