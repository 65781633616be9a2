// Pure parts of accounts: role order, lockout back-off, account input validation,
// and the OpenAPI document built from the endpoint declarations.
import { describe, expect, it } from 'vitest';
import { hasRole, minRole, ROLES } from '@/lib/auth/roles';
import { userLockMs, USER_FAILURES_BEFORE_LOCK, USER_LOCK_MAX_MS } from '@/lib/auth/login';
import { createUserInputSchema, createTokenInputSchema, passwordSchema, usernameSchema } from '@/lib/auth/account-input';
import { endpoints } from '@/lib/api/endpoints';
import { openApiDocument } from '@/lib/api/openapi';
import { invalidInputError } from '@/lib/api/errors';
import { formatIssues } from '@/lib/spec';

describe('roles', () => {
  it('are ordered viewer < operator < approver < admin', () => {
    for (const [i, a] of ROLES.entries()) {
      for (const [j, b] of ROLES.entries()) {
        expect(hasRole(a, b)).toBe(i >= j);
        expect(minRole(a, b)).toBe(ROLES[Math.min(i, j)]);
      }
    }
  });
});

describe('lockout back-off', () => {
  it('doubles from one minute and stops at the cap', () => {
    expect(userLockMs(USER_FAILURES_BEFORE_LOCK)).toBe(60_000);
    expect(userLockMs(USER_FAILURES_BEFORE_LOCK + 1)).toBe(120_000);
    expect(userLockMs(USER_FAILURES_BEFORE_LOCK + 3)).toBe(480_000);
    expect(userLockMs(USER_FAILURES_BEFORE_LOCK + 50)).toBe(USER_LOCK_MAX_MS);
  });
});

describe('account input', () => {
  it('names each bad field with an understandable message', () => {
    const result = createUserInputSchema.safeParse({ username: 'Root User', password: 'short', role: 'god' });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(invalidInputError('body', formatIssues(result.error)).fields).toEqual({
      username: ['Username may use lower-case letters, digits, dot, dash and underscore, and must start with a letter or digit'],
      password: ['Password must be at least 12 characters'],
      role: ['Role must be one of: viewer, operator, approver, admin'],
    });
  });

  it('rejects NUL in passwords and hostile token names', () => {
    expect(passwordSchema.safeParse('twelve chars\u0000!').success).toBe(false);
    expect(createTokenInputSchema.safeParse({ name: '<script>', role: 'viewer' }).success).toBe(false);
    expect(createTokenInputSchema.safeParse({ name: 'ci', role: 'viewer', expiresInDays: '0' }).success).toBe(false);
    expect(createTokenInputSchema.parse({ name: 'ci/main', role: 'viewer', expiresInDays: '30' }).expiresInDays).toBe(30);
    expect(usernameSchema.safeParse('a').success).toBe(false);
    expect(usernameSchema.parse('  ops.team-1 ')).toBe('ops.team-1');
  });
});

describe('OpenAPI document', () => {
  const doc = openApiDocument('test');

  it('has one operation per declared endpoint, with roles and security', () => {
    const operations = Object.values(doc.paths).flatMap((p) => Object.values(p)) as { operationId: string; security: unknown[] }[];
    expect(operations.map((o) => o.operationId).sort()).toEqual(
      Object.values(endpoints)
        .map((e) => e.id)
        .sort(),
    );
    for (const op of operations) expect(op.security.length).toBe(op.operationId === 'health' ? 0 : 2);
  });

  it('carries the zod constraints into the schemas', () => {
    const body = (
      doc.paths['/api/v1/tokens']!.post as {
        requestBody: {
          content: {
            'application/json': { schema: { properties: Record<string, { maxLength?: number; enum?: string[] }>; required: string[] } };
          };
        };
      }
    ).requestBody.content['application/json'].schema;
    expect(body.properties.name!.maxLength).toBe(128);
    expect(body.properties.role!.enum).toEqual(['viewer', 'operator', 'approver', 'admin']);
    expect(body.required).toEqual(expect.arrayContaining(['name', 'role']));
  });
});
