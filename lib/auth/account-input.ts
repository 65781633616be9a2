// Validation of accounts, passwords and API tokens: the one schema used by the
// login and settings forms, the server actions, the HTTP API and the CLI.
import { z } from 'zod';
import { ROLES } from '@/lib/auth/roles';

export const roleSchema = z.enum(ROLES, { error: `Role must be one of: ${ROLES.join(', ')}` });

export const usernameSchema = z
  .string({ error: 'Username is required' })
  .trim()
  .min(2, 'Username must be at least 2 characters')
  .max(64, 'Username must be at most 64 characters')
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    'Username may use lower-case letters, digits, dot, dash and underscore, and must start with a letter or digit',
  );

export const passwordSchema = z
  .string({ error: 'Password is required' })
  .min(12, 'Password must be at least 12 characters')
  .max(256, 'Password must be at most 256 characters')
  .refine((p) => !p.includes('\u0000'), 'Password must not contain NUL characters');

export const displayNameSchema = z.string().trim().max(128, 'Display name must be at most 128 characters');

export const loginInputSchema = z.object({
  username: z.string({ error: 'Username is required' }).trim().min(1, 'Username is required').max(64, 'Username is too long'),
  password: z.string({ error: 'Password is required' }).min(1, 'Password is required').max(256, 'Password is too long'),
  next: z.string().optional(),
});

export const createUserInputSchema = z.object({
  username: usernameSchema,
  displayName: displayNameSchema.optional(),
  password: passwordSchema,
  role: roleSchema,
});

export const setupInputSchema = z
  .object({
    token: z.string().min(1, 'Setup token is required'),
    username: usernameSchema,
    password: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ['confirmPassword'], message: 'Passwords do not match' });

export const changePasswordInputSchema = z
  .object({
    currentPassword: z.string().min(1, 'Current password is required'),
    newPassword: passwordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ['confirmPassword'], message: 'Passwords do not match' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'New password must differ from the current one' });

export const setRoleInputSchema = z.object({ userId: z.uuid('Not a valid user id'), role: roleSchema });

export const tokenNameSchema = z
  .string({ error: 'Token name is required' })
  .trim()
  .min(1, 'Token name is required')
  .max(128, 'Token name must be at most 128 characters')
  .regex(/^[\p{L}\p{N} ._:@/-]+$/u, 'Token name may use letters, digits, spaces and . _ : @ / -');

export const createTokenInputSchema = z.object({
  name: tokenNameSchema,
  role: roleSchema,
  expiresInDays: z.coerce
    .number()
    .int('Expiry must be a whole number of days')
    .min(1, 'Expiry must be at least 1 day')
    .max(3650, 'Expiry must be at most 3650 days')
    .optional(),
});

export const revokeTokenInputSchema = z.object({ tokenId: z.uuid('Not a valid token id') });
