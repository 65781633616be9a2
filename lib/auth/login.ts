// Password login with back-off: after repeated failures an account is locked for
// a growing time, and so is a client address that sprays many accounts.
import { getDb } from '@/lib/db';
import { dummyPasswordHash, verifyPassword } from '@/lib/auth/password';
import { createSession } from '@/lib/auth/sessions';
import { audit, type AuditVia } from '@/lib/auth/audit';

export const USER_FAILURES_BEFORE_LOCK = 5;
export const USER_LOCK_BASE_MS = 60_000;
export const USER_LOCK_MAX_MS = 15 * 60_000;
export const IP_FAILURES_BEFORE_LOCK = 20;
export const IP_WINDOW_MS = 15 * 60_000;

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; user: { id: string; username: string; role: string; mustChangePassword: boolean } }
  | { ok: false; code: 'invalid' | 'locked'; message: string; retryAfterSeconds?: number };

const INVALID: LoginResult = { ok: false, code: 'invalid', message: 'Wrong username or password.' };

function lockedResult(until: Date): LoginResult {
  const seconds = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
  const wait = seconds >= 90 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} seconds`;
  return { ok: false, code: 'locked', message: `Too many failed logins. Try again in ${wait}.`, retryAfterSeconds: seconds };
}

/** Lock length after the n-th consecutive failure (n ≥ threshold): 1, 2, 4 … 15 minutes. */
export function userLockMs(failures: number): number {
  const over = failures - USER_FAILURES_BEFORE_LOCK;
  return Math.min(USER_LOCK_MAX_MS, USER_LOCK_BASE_MS * 2 ** Math.max(0, over));
}

export async function login(input: { username: string; password: string; ip?: string | null; userAgent?: string | null; via?: AuditVia }): Promise<LoginResult> {
  const db = getDb();
  const username = input.username.trim().toLowerCase();
  const ipKey = input.ip ? `ip:${input.ip}` : null;
  const now = new Date();

  if (ipKey) {
    const throttle = await db.loginThrottle.findUnique({ where: { key: ipKey } });
    if (throttle?.lockedUntil && throttle.lockedUntil > now) {
      await audit({ action: 'auth.login', actorName: username, ip: input.ip, via: input.via, outcome: 'denied', details: { reason: 'address locked' } });
      return lockedResult(throttle.lockedUntil);
    }
  }

  const user = await db.user.findUnique({ where: { username } });
  if (user?.lockedUntil && user.lockedUntil > now) {
    await audit({ action: 'auth.login', actor: user, ip: input.ip, via: input.via, outcome: 'denied', details: { reason: 'account locked' } });
    return lockedResult(user.lockedUntil);
  }

  const valid = user ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await dummyPasswordHash(), input.password), false);

  if (!user || !valid || user.disabled) {
    if (user) {
      const failures = user.failedLoginCount + 1;
      const lockedUntil = failures >= USER_FAILURES_BEFORE_LOCK ? new Date(now.getTime() + userLockMs(failures)) : null;
      await db.user.update({ where: { id: user.id }, data: { failedLoginCount: failures, lockedUntil } });
    }
    if (ipKey) await recordAddressFailure(ipKey, now);
    await audit({ action: 'auth.login', actor: user ?? null, actorName: username, ip: input.ip, via: input.via, outcome: 'failed', details: { reason: user?.disabled ? 'disabled' : 'wrong credentials' } });
    return INVALID;
  }

  await db.user.update({ where: { id: user.id }, data: { failedLoginCount: 0, lockedUntil: null, lastLoginAt: now } });
  const { token, expiresAt } = await createSession(user.id, { ip: input.ip, userAgent: input.userAgent });
  await audit({ action: 'auth.login', actor: user, ip: input.ip, via: input.via });
  return { ok: true, token, expiresAt, user: { id: user.id, username: user.username, role: user.role, mustChangePassword: user.mustChangePassword } };
}

async function recordAddressFailure(key: string, now: Date): Promise<void> {
  const db = getDb();
  const row = await db.loginThrottle.findUnique({ where: { key } });
  const inWindow = row && now.getTime() - row.windowStart.getTime() < IP_WINDOW_MS;
  const failures = inWindow ? row.failures + 1 : 1;
  const lockedUntil = failures >= IP_FAILURES_BEFORE_LOCK ? new Date(now.getTime() + IP_WINDOW_MS) : null;
  await db.loginThrottle.upsert({
    where: { key },
    create: { key, failures, windowStart: now, lockedUntil },
    update: { failures, lockedUntil, ...(inWindow ? {} : { windowStart: now }) },
  });
}
