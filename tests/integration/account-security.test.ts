// Users, sessions and tokens hardened, against a real PostgreSQL: disabling a
// user, revocation on password reset and change, the sessions' absolute
// lifetime, the last-admin check under concurrency, admin API tokens managing
// users within their ceiling (audited with the token id), and mustChangePassword
// enforced on pages, server actions and the API.
// Server actions and page guards read the request through next/headers, which
// only exists inside Next's request scope: it is stood in for with the session
// cookie and the path, as in power.test.ts. API route handlers get real requests.
import { describe, expect, it, vi } from 'vitest';

const request = vi.hoisted(() => ({ token: '', path: '/' }));
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (name === 'hostdeck_session' && request.token ? { name, value: request.token } : undefined),
  }),
  headers: async () => new Headers({ 'x-hostdeck-client-ip': '192.0.2.9', 'user-agent': 'vitest', 'x-hostdeck-path': request.path }),
}));
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

import { NextRequest } from 'next/server';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { changeOwnPassword, createUser, resetPassword, setUserDisabled, setUserRole, UserError } from '@/lib/auth/users';
import { createSession, sessionCookieName, sessionCookieOptions, sessionLifetimes, validateSession } from '@/lib/auth/sessions';
import { createApiToken, validateApiToken } from '@/lib/auth/tokens';
import { sha256Hex } from '@/lib/auth/crypto';
import { requireUser } from '@/lib/auth/current-user';
import { createTokenAction } from '@/lib/actions/tokens';
import { changePasswordAction } from '@/lib/actions/auth';
import { setDisabledAction } from '@/lib/actions/users';
import { POST as createUserRoute } from '@/app/api/v1/users/route';
import { PATCH as updateUserRoute } from '@/app/api/v1/users/[id]/route';
import { GET as meRoute } from '@/app/api/v1/me/route';

useTestDatabase();

const password = 'correct horse battery staple';
let serial = 0;
const unique = (base: string) => `${base}${++serial}`;

async function userWithCredentials(
  role: 'viewer' | 'operator' | 'approver' | 'admin',
  options: { mustChangePassword?: boolean; tokenRole?: typeof role } = {},
) {
  const user = await createUser({ username: unique(role), password, role, mustChangePassword: options.mustChangePassword });
  const session = await createSession(user.id, { ip: '192.0.2.9' });
  const { secret, token } = await createApiToken(user.id, { name: 'automation', role: options.tokenRole ?? role });
  return { user, session: session.token, secret, tokenId: token.id };
}

function apiRequest(method: string, path: string, auth: { bearer?: string; cookie?: string }, body?: unknown) {
  const headers = new Headers({ host: 'hostdeck.test', 'x-hostdeck-client-ip': '192.0.2.10' });
  if (auth.bearer) headers.set('authorization', `Bearer ${auth.bearer}`);
  if (auth.cookie) {
    headers.set('cookie', `hostdeck_session=${auth.cookie}`);
    headers.set('origin', 'http://hostdeck.test');
  }
  if (body !== undefined) headers.set('content-type', 'application/json');
  return new NextRequest(`http://hostdeck.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

const noParams = { params: Promise.resolve({}) };
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });

async function enabledAdmins(): Promise<number> {
  return getDb().user.count({ where: { role: 'admin', disabled: false } });
}

/** Leaves exactly `n` enabled admins (demoting the others) so a test starts from a known count. */
async function onlyAdmins(ids: string[]): Promise<void> {
  await getDb().user.updateMany({ where: { role: 'admin', id: { notIn: ids } }, data: { role: 'operator' } });
}

describe('disabling a user', () => {
  it('stops their sessions and tokens at once, ends their sessions, and enabling brings tokens back', async () => {
    const admin = await userWithCredentials('admin');
    const target = await userWithCredentials('operator');
    const second = await createSession(target.user.id, {});
    expect(await validateSession(target.session)).not.toBeNull();
    expect(await validateApiToken(target.secret)).not.toBeNull();

    const result = await setUserDisabled(target.user.id, true, { id: admin.user.id, role: 'admin' });
    expect(result.disabled).toBe(true);
    expect(result.sessionsEnded).toBe(2);
    expect(await getDb().session.count({ where: { userId: target.user.id } })).toBe(0);
    expect(await validateSession(second.token)).toBeNull();
    expect(await validateApiToken(target.secret)).toBeNull();

    await setUserDisabled(target.user.id, false, { id: admin.user.id, role: 'admin' });
    expect((await validateApiToken(target.secret))?.user.username).toBe(target.user.username);
    expect(await validateSession(target.session)).toBeNull();
  });

  it('refuses to disable yourself or the last enabled admin', async () => {
    const a = await userWithCredentials('admin');
    const b = await userWithCredentials('admin');
    await onlyAdmins([a.user.id, b.user.id]);
    await expect(setUserDisabled(a.user.id, true, { id: a.user.id, role: 'admin' })).rejects.toThrow('You cannot disable yourself');
    await setUserDisabled(b.user.id, true, { id: a.user.id, role: 'admin' });
    // From the CLI (no actor) the last enabled admin is still protected.
    await expect(setUserDisabled(a.user.id, true)).rejects.toThrow(/last enabled admin/);
    // A disabled admin does not count: demoting the only enabled one is refused too.
    await expect(setUserRole(a.user.id, 'viewer')).rejects.toThrow(/last admin/);
    expect(await enabledAdmins()).toBe(1);
    await setUserDisabled(b.user.id, false);
    expect(await enabledAdmins()).toBe(2);
  });

  it('the server action refuses an admin disabling themselves and audits a disable', async () => {
    const admin = await userWithCredentials('admin');
    const target = await userWithCredentials('viewer');
    request.token = admin.session;
    const self = await setDisabledAction({ userId: admin.user.id, disabled: true });
    expect(self?.serverError).toBe('You cannot disable yourself');
    const done = await setDisabledAction({ userId: target.user.id, disabled: true });
    expect(done?.data?.message).toContain('is disabled');
    expect(await validateApiToken(target.secret)).toBeNull();
    const event = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'user.disable', targetId: target.user.id } });
    expect(event).toMatchObject({ actorName: admin.user.username, outcome: 'ok', ip: '192.0.2.9' });
  });
});

describe('password reset and change', () => {
  it("an admin reset ends all the user's sessions and revokes all their API tokens", async () => {
    const target = await userWithCredentials('operator');
    const other = await createApiToken(target.user.id, { name: 'second', role: 'viewer' });
    const revoked = await resetPassword(target.user.id, 'a brand new passphrase');
    expect(revoked).toEqual({ sessionsEnded: 1, tokensRevoked: 2 });
    expect(await validateSession(target.session)).toBeNull();
    expect(await validateApiToken(target.secret)).toBeNull();
    expect(await validateApiToken(other.secret)).toBeNull();
    expect(await getDb().apiToken.count({ where: { userId: target.user.id, revokedAt: null } })).toBe(0);
  });

  it("changing one's own password keeps the current session, ends the others and revokes all tokens", async () => {
    const me = await userWithCredentials('approver');
    const other = await createSession(me.user.id, {});
    await changeOwnPassword(me.user.id, password, 'a brand new passphrase', me.session);
    expect(await validateSession(me.session)).not.toBeNull();
    expect(await validateSession(other.token)).toBeNull();
    expect(await validateApiToken(me.secret)).toBeNull();
  });
});

describe('session lifetime', () => {
  it('ends a session at its absolute lifetime even while it is in use', async () => {
    const { maxMs, idleMs } = sessionLifetimes();
    const user = await userWithCredentials('viewer');
    const id = sha256Hex(user.session);
    const now = Date.now();
    // Used a moment ago, idle expiry in the future, but signed in longer ago than the absolute lifetime.
    await getDb().session.update({
      where: { id },
      data: { createdAt: new Date(now - maxMs - 1000), lastSeenAt: new Date(now - 1000), expiresAt: new Date(now + idleMs) },
    });
    expect(await validateSession(user.session)).toBeNull();
    expect(await getDb().session.count({ where: { id } })).toBe(0);
  });

  it('extends an idle session while used, but never past the absolute end', async () => {
    const { maxMs } = sessionLifetimes();
    const user = await userWithCredentials('viewer');
    const id = sha256Hex(user.session);
    const createdAt = new Date(Date.now() - maxMs + 60 * 60 * 1000); // one hour of absolute lifetime left
    await getDb().session.update({ where: { id }, data: { createdAt, lastSeenAt: new Date(Date.now() - 5 * 60 * 1000) } });
    expect(await validateSession(user.session)).not.toBeNull();
    const row = await getDb().session.findUniqueOrThrow({ where: { id } });
    expect(row.expiresAt.getTime()).toBeLessThanOrEqual(createdAt.getTime() + maxMs);
  });

  it('defaults to 12 hours idle and 7 days absolute, configurable by environment', () => {
    expect(sessionLifetimes({})).toEqual({ idleMs: 12 * 3600_000, maxMs: 7 * 86_400_000 });
    expect(sessionLifetimes({ HOSTDECK_SESSION_IDLE_HOURS: '1', HOSTDECK_SESSION_MAX_DAYS: '2' })).toEqual({
      idleMs: 3600_000,
      maxMs: 2 * 86_400_000,
    });
    expect(sessionLifetimes({ HOSTDECK_SESSION_IDLE_HOURS: 'soon', HOSTDECK_SESSION_MAX_DAYS: '-1' })).toEqual({
      idleMs: 12 * 3600_000,
      maxMs: 7 * 86_400_000,
    });
  });

  it('the cookie is named __Host-… when the request is secure, with Secure and Path=/ and no Domain', () => {
    expect(sessionCookieName(true)).toBe('__Host-hostdeck_session');
    expect(sessionCookieName(false)).toBe('hostdeck_session');
    const options = sessionCookieOptions(true);
    expect(options).toMatchObject({ secure: true, path: '/', httpOnly: true, sameSite: 'lax' });
    expect(options).not.toHaveProperty('domain');
  });

  it('the API reads the session from the __Host- cookie on a secure request, and not from the plain name', async () => {
    const user = await userWithCredentials('viewer');
    const secure = (name: string) => {
      const headers = new Headers({ host: 'hostdeck.test', 'x-hostdeck-client-proto': 'https', cookie: `${name}=${user.session}` });
      return new NextRequest('https://hostdeck.test/api/v1/me', { headers });
    };
    expect((await meRoute(secure('__Host-hostdeck_session'), noParams)).status).toBe(200);
    expect((await meRoute(secure('hostdeck_session'), noParams)).status).toBe(401);
  });
});

describe('the last admin', () => {
  it('two parallel demotions of the last two admins leave exactly one admin (every round)', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await createUser({ username: unique('race-a'), password, role: 'admin' });
      const b = await createUser({ username: unique('race-b'), password, role: 'admin' });
      await onlyAdmins([a.id, b.id]);
      const results = await Promise.allSettled([setUserRole(a.id, 'operator'), setUserRole(b.id, 'operator')]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toBeInstanceOf(UserError);
      expect(await enabledAdmins()).toBe(1);
    }
  });

  it('a parallel demotion and disable of the last two admins leave one enabled admin', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await createUser({ username: unique('race-c'), password, role: 'admin' });
      const b = await createUser({ username: unique('race-d'), password, role: 'admin' });
      await onlyAdmins([a.id, b.id]);
      const results = await Promise.allSettled([setUserRole(a.id, 'viewer'), setUserDisabled(b.id, true)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await enabledAdmins()).toBe(1);
    }
  });
});

describe('admin API tokens managing users', () => {
  it('create, set a role, disable and reset with an admin token: allowed, and audited with the token id', async () => {
    const admin = await userWithCredentials('admin');
    const created = await createUserRoute(
      apiRequest('POST', '/api/v1/users', { bearer: admin.secret }, { username: unique('bot'), password, role: 'approver' }),
      noParams,
    );
    expect(created.status).toBe(201);
    const user = (await created.json()).user as { id: string; username: string };

    const promoted = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${user.id}`, { bearer: admin.secret }, { role: 'admin' }),
      idParams(user.id),
    );
    expect(promoted.status).toBe(200);
    const disabled = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${user.id}`, { bearer: admin.secret }, { disabled: true }),
      idParams(user.id),
    );
    expect(disabled.status).toBe(200);
    expect((await disabled.json()).user).toMatchObject({ disabled: true, role: 'admin' });
    const reset = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${user.id}`, { bearer: admin.secret }, { password: 'another long passphrase' }),
      idParams(user.id),
    );
    expect(reset.status).toBe(200);

    const events = await getDb().auditEvent.findMany({ where: { targetId: user.id }, orderBy: { at: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['user.create', 'user.set-role', 'user.disable', 'user.reset-password']);
    for (const event of events) {
      expect(event).toMatchObject({ via: 'api', actorName: admin.user.username, outcome: 'ok' });
      expect(event.details).toMatchObject({ tokenId: admin.tokenId, via: 'token' });
    }
  });

  it('the token cannot disable its own user', async () => {
    const admin = await userWithCredentials('admin');
    const self = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${admin.user.id}`, { bearer: admin.secret }, { disabled: true }),
      idParams(admin.user.id),
    );
    expect(self.status).toBe(409);
    expect((await self.json()).error.message).toBe('You cannot disable yourself');
    expect(await validateApiToken(admin.secret)).not.toBeNull();
  });

  it('never grants a role above the acting role: refused, nothing changed; a token below admin is refused and audited', async () => {
    const target = await createUser({ username: unique('target'), password, role: 'viewer' });
    const approver = { id: (await createUser({ username: unique('appr'), password, role: 'approver' })).id, role: 'approver' as const };
    await expect(setUserRole(target.id, 'admin', approver)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(createUser({ username: unique('up'), password, role: 'admin' }, approver)).rejects.toMatchObject({ code: 'forbidden' });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe('viewer');

    // Over the API a token below admin is refused before any handler runs, and audited with its id.
    const admin = await userWithCredentials('admin', { tokenRole: 'approver' });
    const response = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${target.id}`, { bearer: admin.secret }, { role: 'admin' }),
      idParams(target.id),
    );
    expect(response.status).toBe(403);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: target.id } })).role).toBe('viewer');
    expect(
      await getDb().auditEvent.count({ where: { actorName: admin.user.username, action: 'api.users.update', outcome: 'denied' } }),
    ).toBe(1);
  });
});

describe('mustChangePassword on every request', () => {
  it('pages send the user to change the password, except the account page itself', async () => {
    const user = await userWithCredentials('operator', { mustChangePassword: true });
    request.token = user.session;
    request.path = '/hosts?page=2';
    await expect(requireUser()).rejects.toMatchObject({ digest: expect.stringContaining('/settings?must-change=1') });
    request.path = '/settings?must-change=1';
    expect((await requireUser()).id).toBe(user.user.id);
    request.path = '/settings/tokens';
    await expect(requireUser()).rejects.toMatchObject({ digest: expect.stringContaining('/settings?must-change=1') });
  });

  it('server actions refuse everything but changing the password, which lifts the block', async () => {
    const user = await userWithCredentials('operator', { mustChangePassword: true });
    request.token = user.session;
    request.path = '/settings/tokens';
    const refused = await createTokenAction({ name: 'sneaky', role: 'viewer' });
    expect(refused?.serverError).toMatch(/Choose your own password first/);
    expect(await getDb().apiToken.count({ where: { userId: user.user.id, name: 'sneaky' } })).toBe(0);
    const denied = await getDb().auditEvent.findFirst({
      where: { action: 'token.create', actorName: user.user.username, outcome: 'denied' },
    });
    expect(denied?.details).toMatchObject({ reason: 'password change required' });

    const changed = await changePasswordAction({
      currentPassword: password,
      newPassword: 'my very own passphrase',
      confirmPassword: 'my very own passphrase',
    });
    expect(changed?.data?.message).toContain('Password changed.');
    expect(await validateSession(user.session)).not.toBeNull();
    const allowed = await createTokenAction({ name: 'now fine', role: 'viewer' });
    expect(allowed?.data?.secret).toMatch(/^hdk_/);
  });

  it("the API answers a session that must change its password with 403 password_change_required; the user's tokens still work", async () => {
    const user = await userWithCredentials('operator', { mustChangePassword: true });
    const bySession = await meRoute(apiRequest('GET', '/api/v1/me', { cookie: user.session }), noParams);
    expect(bySession.status).toBe(403);
    expect((await bySession.json()).error.code).toBe('password_change_required');
    const byToken = await meRoute(apiRequest('GET', '/api/v1/me', { bearer: user.secret }), noParams);
    expect(byToken.status).toBe(200);
  });
});
