// Every endpoint of /api/v1, declared once. Route files under app/api/v1 build
// their handlers from these; lib/api/openapi.ts publishes them.
import { z } from 'zod';
import type { Endpoint } from '@/lib/api/endpoint';
import { createTokenInputSchema, createUserInputSchema, passwordSchema, roleSchema } from '@/lib/spec/account';

const isoDate = z.iso.datetime();
const idParams = z.object({ id: z.uuid('Not a valid id') });

export const healthSchema = z.object({ status: z.literal('ok'), version: z.string(), database: z.literal('ok') });

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: roleSchema,
  disabled: z.boolean(),
  lastLoginAt: isoDate.nullable(),
  createdAt: isoDate,
});

export const meSchema = z.object({ user: userSchema, effectiveRole: roleSchema, via: z.enum(['token', 'session']) });

export const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to recognise it'),
  role: roleSchema.describe('Role ceiling: the token never has more than this, nor more than its user'),
  username: z.string().optional(),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
});

export const createdTokenSchema = z.object({ token: tokenSchema, secret: z.string().describe('The token itself. Shown once; store it now.') });

export const updateUserInputSchema = z
  .object({ role: roleSchema.optional(), password: passwordSchema.optional() })
  .refine((v) => v.role !== undefined || v.password !== undefined, { message: 'Give a role or a password to change' });

export const auditQuerySchema = z.object({
  action: z.string().max(64).optional(),
  actor: z.string().max(64).optional(),
  targetType: z.string().max(32).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const auditEventSchema = z.object({
  id: z.string(),
  at: isoDate,
  actorName: z.string().nullable(),
  via: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  outcome: z.string(),
  details: z.unknown(),
});

export const endpoints = {
  health: { id: 'health', method: 'GET', path: '/api/v1/health', tag: 'System', summary: 'Liveness and database check (no authentication)', auth: 'public', response: healthSchema },
  me: { id: 'me', method: 'GET', path: '/api/v1/me', tag: 'System', summary: 'The caller and its effective role', auth: { role: 'viewer' }, response: meSchema },
  listTokens: { id: 'tokens.list', method: 'GET', path: '/api/v1/tokens', tag: 'Tokens', summary: "The caller's API tokens (all tokens for admins with ?all=1)", auth: { role: 'viewer' }, query: z.object({ all: z.enum(['0', '1']).optional() }), response: z.object({ tokens: z.array(tokenSchema) }) },
  createToken: { id: 'tokens.create', method: 'POST', path: '/api/v1/tokens', tag: 'Tokens', summary: 'Create an API token (web session only: tokens cannot mint tokens)', auth: { role: 'viewer', sessionOnly: true }, body: createTokenInputSchema, response: createdTokenSchema, status: 201 },
  revokeToken: { id: 'tokens.revoke', method: 'DELETE', path: '/api/v1/tokens/{id}', tag: 'Tokens', summary: 'Revoke one of your tokens (admins: any token)', auth: { role: 'viewer' }, params: idParams, response: z.object({ token: tokenSchema }) },
  listUsers: { id: 'users.list', method: 'GET', path: '/api/v1/users', tag: 'Users', summary: 'All users', auth: { role: 'admin' }, response: z.object({ users: z.array(userSchema) }) },
  createUser: { id: 'users.create', method: 'POST', path: '/api/v1/users', tag: 'Users', summary: 'Create a user', auth: { role: 'admin' }, body: createUserInputSchema, response: z.object({ user: userSchema }), status: 201 },
  updateUser: { id: 'users.update', method: 'PATCH', path: '/api/v1/users/{id}', tag: 'Users', summary: "Change a user's role or reset their password", auth: { role: 'admin' }, params: idParams, body: updateUserInputSchema, response: z.object({ user: userSchema }) },
  listAudit: { id: 'audit.list', method: 'GET', path: '/api/v1/audit', tag: 'Audit', summary: 'Audit events, newest first, 50 a page', auth: { role: 'approver' }, query: auditQuerySchema, response: z.object({ total: z.number().int(), page: z.number().int(), pageSize: z.number().int(), events: z.array(auditEventSchema) }) },
} as const satisfies Record<string, Endpoint>;
