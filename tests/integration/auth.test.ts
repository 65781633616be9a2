// Accounts, first run, login with lockout, sessions and API tokens, against a real PostgreSQL.
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { completeSetup, createUser, ensureFirstRun, setUserRole, UserError, changeOwnPassword } from '@/lib/auth/users';
import { login, LOGIN_FAILED_MESSAGE, USER_FAILURES_BEFORE_LOCK, IP_FAILURES_BEFORE_LOCK } from '@/lib/auth/login';
import { validateSession, deleteSession } from '@/lib/auth/sessions';
import { createApiToken, revokeApiToken, validateApiToken, TokenError } from '@/lib/auth/tokens';

useTestDatabase();

const password = 'correct horse battery staple';

describe('first run', () => {
  it('issues a one-time setup token when there are no users and no HOSTDECK_ADMIN_PASSWORD', async () => {
    const outcome = await ensureFirstRun({});
    expect(outcome.kind).toBe('setup-token');
    if (outcome.kind !== 'setup-token') return;
    await expect(completeSetup({ token: 'wrong', username: 'root-admin', password })).rejects.toThrow(/setup token is wrong/);
    const admin = await completeSetup({ token: outcome.token, username: 'root-admin', password });
    expect(admin.role).toBe('admin');
    await expect(completeSetup({ token: outcome.token, username: 'second', password })).rejects.toThrow(/already set up/);
    expect(await ensureFirstRun({ HOSTDECK_ADMIN_PASSWORD: password })).toEqual({ kind: 'has-users' });
    const stored = await getDb().user.findUniqueOrThrow({ where: { username: 'root-admin' } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordHash).not.toContain(password);
  });
});

describe('login', () => {
  it('signs in with the right password and makes a session', async () => {
    await createUser({ username: 'alice', password, role: 'operator' });
    const result = await login({ username: 'Alice', password, ip: '10.9.0.1' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const session = await validateSession(result.token);
    expect(session?.user.username).toBe('alice');
    const row = await getDb().session.findFirstOrThrow({ where: { userId: session!.user.id } });
    expect(row.id).not.toBe(result.token); // only the hash is stored
    await deleteSession(result.token);
    expect(await validateSession(result.token)).toBeNull();
    const events = await getDb().auditEvent.findMany({ where: { action: 'auth.login', actorName: 'alice' } });
    expect(events.some((e) => e.outcome === 'ok' && e.ip === '10.9.0.1')).toBe(true);
  });

  it('gives one neutral message for a wrong password and for an unknown user alike', async () => {
    await createUser({ username: 'bob', password, role: 'viewer' });
    const wrong = await login({ username: 'bob', password: 'nope-nope-nope', ip: '10.9.0.2' });
    const unknown = await login({ username: 'nobody', password: 'nope-nope-nope', ip: '10.9.0.2' });
    expect(wrong).toEqual({ ok: false, code: 'invalid', message: LOGIN_FAILED_MESSAGE });
    expect(unknown).toEqual(wrong);
    const failed = await getDb().auditEvent.count({ where: { action: 'auth.login', outcome: 'failed', ip: '10.9.0.2' } });
    expect(failed).toBe(2);
  });

  it('locks an account after repeated failures, even for the right password, and unlocks after the wait', async () => {
    await createUser({ username: 'carol', password, role: 'viewer' });
    for (let i = 0; i < USER_FAILURES_BEFORE_LOCK; i++) {
      expect((await login({ username: 'carol', password: 'wrong-password!', ip: `10.9.1.${i}` })).ok).toBe(false);
    }
    // Locked: the same answer as a wrong password, which does not tell an attacker the lock is on.
    expect(await login({ username: 'carol', password, ip: '10.9.1.99' })).toEqual({
      ok: false,
      code: 'invalid',
      message: LOGIN_FAILED_MESSAGE,
    });
    expect((await getDb().user.findUniqueOrThrow({ where: { username: 'carol' } })).lockedAttempts).toBe(1);
    await getDb().user.update({ where: { username: 'carol' }, data: { lockedUntil: new Date(Date.now() - 1000) } });
    expect((await login({ username: 'carol', password, ip: '10.9.1.99' })).ok).toBe(true);
    expect((await getDb().user.findUniqueOrThrow({ where: { username: 'carol' } })).failedLoginCount).toBe(0);
  });

  it('locks a client address that sprays many accounts', async () => {
    for (let i = 0; i < IP_FAILURES_BEFORE_LOCK; i++) await login({ username: `spray${i}`, password: 'x', ip: '10.9.2.1' });
    await createUser({ username: 'dave', password, role: 'viewer' });
    const result = await login({ username: 'dave', password, ip: '10.9.2.1' });
    expect(result).toEqual({ ok: false, code: 'invalid', message: LOGIN_FAILED_MESSAGE });
    expect((await login({ username: 'dave', password, ip: '10.9.2.2' })).ok).toBe(true);
  });

  it("changing one's password checks the current one and ends other sessions", async () => {
    await createUser({ username: 'erin', password, role: 'viewer' });
    const a = await login({ username: 'erin', password });
    const b = await login({ username: 'erin', password });
    if (!a.ok || !b.ok) throw new Error('login failed');
    await expect(changeOwnPassword(a.user.id, 'not it', 'a brand new passphrase', a.token)).rejects.toThrow(/Current password is wrong/);
    await changeOwnPassword(a.user.id, password, 'a brand new passphrase', a.token);
    expect(await validateSession(a.token)).not.toBeNull();
    expect(await validateSession(b.token)).toBeNull();
    expect((await login({ username: 'erin', password: 'a brand new passphrase' })).ok).toBe(true);
  });
});

describe('roles', () => {
  it('refuses to demote the last admin', async () => {
    const admins = await getDb().user.findMany({ where: { role: 'admin' } });
    expect(admins).toHaveLength(1);
    await expect(setUserRole(admins[0]!.id, 'viewer')).rejects.toBeInstanceOf(UserError);
    const other = await createUser({ username: 'frank', password, role: 'approver' });
    await setUserRole(other.id, 'admin');
    await setUserRole(admins[0]!.id, 'operator');
    expect((await getDb().user.findUniqueOrThrow({ where: { id: admins[0]!.id } })).role).toBe('operator');
  });
});

describe('API tokens', () => {
  it('are stored hashed, capped at the user role, usable until revoked', async () => {
    const user = await createUser({ username: 'grace', password, role: 'operator' });
    const { token, secret } = await createApiToken(user.id, { name: 'ci', role: 'admin' });
    expect(secret).toMatch(/^hdk_/);
    expect(token.role).toBe('operator');
    const row = await getDb().apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(row.tokenHash).not.toContain(secret);
    const valid = await validateApiToken(secret);
    expect(valid?.user.username).toBe('grace');
    expect(valid?.role).toBe('operator');
    expect((await getDb().apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt).not.toBeNull();
    await expect(createApiToken(user.id, { name: 'ci', role: 'viewer' })).rejects.toBeInstanceOf(TokenError);
    expect(await revokeApiToken(token.id, { id: 'someone-else', role: 'operator' })).toBeNull();
    await revokeApiToken(token.id, { id: user.id, role: 'operator' });
    expect(await validateApiToken(secret)).toBeNull();
  });

  it('lose rights when their user is demoted, and stop at expiry', async () => {
    const user = await createUser({ username: 'heidi', password, role: 'approver' });
    const { secret, token } = await createApiToken(user.id, { name: 'deploys', role: 'approver', expiresInDays: 1 });
    await setUserRole(user.id, 'viewer');
    expect((await validateApiToken(secret))?.role).toBe('viewer');
    await getDb().apiToken.update({ where: { id: token.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await validateApiToken(secret)).toBeNull();
    expect(await validateApiToken('hdk_not-a-real-token')).toBeNull();
    expect(await validateApiToken('garbage')).toBeNull();
  });
});
