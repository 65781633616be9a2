'use server';
// Server actions of Hostdeck's SSH keys (admin): upload an existing private key,
// make a key the default. Private keys never come back to the browser.
import { revalidatePath } from 'next/cache';
import { returnValidationErrors } from 'next-safe-action';
import { z } from 'zod';
import { authedAction } from '@/lib/actions/safe-action';
import { makeDefaultSshKey, sshKeyNameTaken, uploadSshKey } from '@/lib/hosts/ssh-keys';
import { InvalidKeyError } from '@/lib/ssh';
import { audit } from '@/lib/auth/audit';

const uploadInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, 'Name is required')
    .max(128, 'Name must be at most 128 characters')
    .regex(/^[\w.@-]+$/, 'Name may use letters, digits and . _ @ -'),
  privateKey: z.string().min(1, 'Paste the private key').max(16_384, 'That is too long for an SSH private key'),
  passphrase: z.string().max(1024).optional(),
  makeDefault: z.enum(['on']).optional(),
});

export const uploadSshKeyAction = authedAction
  .metadata({ actionName: 'ssh-key.upload', role: 'admin' })
  .inputSchema(uploadInput)
  .action(async ({ parsedInput, ctx }) => {
    if (await sshKeyNameTaken(parsedInput.name))
      returnValidationErrors(uploadInput, { name: { _errors: ['A key with this name exists'] } });
    let key: Awaited<ReturnType<typeof uploadSshKey>>;
    try {
      key = await uploadSshKey(
        { name: parsedInput.name, privateKey: parsedInput.privateKey, passphrase: parsedInput.passphrase || undefined },
        ctx.user.id,
      );
    } catch (error) {
      if (error instanceof InvalidKeyError) returnValidationErrors(uploadInput, { privateKey: { _errors: [error.message] } });
      throw error;
    }
    if (parsedInput.makeDefault) await makeDefaultSshKey(key.id);
    await audit({
      action: 'ssh-key.upload',
      actor: ctx.user,
      ip: ctx.ip,
      targetType: 'ssh-key',
      targetId: key.id,
      details: { name: key.name, fingerprint: key.fingerprint, default: Boolean(parsedInput.makeDefault) },
    });
    revalidatePath('/settings/ssh-keys');
    return { message: `Key ${key.name} (${key.fingerprint}) stored encrypted.` };
  });
