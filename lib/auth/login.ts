// Password login with back-off: after repeated failures an account is locked for
// a growing time, and so is a client address that sprays many accounts.
//
// Every attempt first counts itself against the address and the account, each in
// one SQL statement under the row's lock; only then is the password verified, and
// a success takes its count back. So N parallel guesses count N, and once a lock
// is reached no further guess is verified. Attempts refused by a lock are counted
// (lockedAttempts), not audited one by one: the lock is audited when it starts,
// and the number refused when it ends or at the next successful login.
// A locked account or address, an unknown or disabled user and a wrong password
// get the same answer after the same work (one argon2 verification each).
import { getDb } from '@/lib/db';
import { dummyPasswordHash, verifyPassword } from '@/lib/auth/password';
import { createSession } from '@/lib/auth/sessions';
import { audit, type AuditVia } from '@/lib/auth/audit';
import { MAX_CLIENT_IP_LENGTH } from '@/lib/auth/request-meta';

export const USER_FAILURES_BEFORE_LOCK = 5;
export const USER_LOCK_BASE_MS = 60_000;
export const USER_LOCK_MAX_MS = 15 * 60_000;
export const IP_FAILURES_BEFORE_LOCK = 20;
export const IP_WINDOW_MS = 15 * 60_000;

/** The one answer to every refused login: it does not tell which check refused it. */
export const LOGIN_FAILED_MESSAGE = 'Sign-in failed: wrong username or password, or too many attempts (then wait a few minutes).';

export type LoginResult =
  | { ok: true; token: string; expiresAt: Date; user: { id: string; username: string; role: string; mustChangePassword: boolean } }
  | { ok: false; code: 'invalid'; message: string };

const FAILED: LoginResult = { ok: false, code: 'invalid', message: LOGIN_FAILED_MESSAGE };

/** Lock length after the n-th consecutive failure (n ≥ threshold): 1, 2, 4 … 15 minutes. */
export function userLockMs(failures: number): number {
  const over = failures - USER_FAILURES_BEFORE_LOCK;
  return Math.min(USER_LOCK_MAX_MS, USER_LOCK_BASE_MS * 2 ** Math.max(0, over));
}

/** One attempt counted against a row: the row after it, and what it was before. */
type Counted = {
  lockedUntil: Date | null;
  /** The row was locked before this attempt: the attempt was refused unverified. */
  wasLocked: boolean;
  prevLockedUntil: Date | null;
  prevLockedAttempts: number;
};

type CountedUser = Counted & {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  disabled: boolean;
  mustChangePassword: boolean;
  failedLoginCount: number;
};

type CountedAddress = Counted & { failures: number };

/**
 * Counts an attempt against an account in one statement: refused while locked
 * (lockedAttempts + 1), otherwise failedLoginCount + 1, locking at the threshold
 * for userLockMs(count); an expired lock is cleared and its lockedAttempts handed
 * back. Null for an unknown username.
 */
async function countUserAttempt(username: string, now: Date): Promise<CountedUser | null> {
  const rows = await getDb().$queryRaw<CountedUser[]>`
    WITH old AS (
      SELECT "id", "failedLoginCount", "lockedUntil", "lockedAttempts",
             ("lockedUntil" IS NOT NULL AND "lockedUntil" > ${now}::timestamptz) AS "locked",
             "failedLoginCount" + 1 AS "n"
      FROM "User" WHERE "username" = ${username}
      FOR UPDATE
    )
    UPDATE "User" u SET
      "lockedAttempts" = CASE WHEN old."locked" THEN old."lockedAttempts" + 1 ELSE 0 END,
      "failedLoginCount" = CASE WHEN old."locked" THEN old."failedLoginCount" ELSE old."n" END,
      "lockedUntil" = CASE
        WHEN old."locked" THEN old."lockedUntil"
        WHEN old."n" >= ${USER_FAILURES_BEFORE_LOCK}::int THEN ${now}::timestamptz + make_interval(secs =>
          LEAST(${USER_LOCK_MAX_MS}::float8, ${USER_LOCK_BASE_MS}::float8 * power(2::float8, LEAST(30, GREATEST(0, old."n" - ${USER_FAILURES_BEFORE_LOCK}::int)))) / 1000)
        ELSE NULL END,
      "updatedAt" = CASE WHEN old."locked" THEN u."updatedAt" ELSE ${now}::timestamptz END
    FROM old WHERE u."id" = old."id"
    RETURNING u."id", u."username", u."passwordHash", u."role"::text AS "role", u."disabled", u."mustChangePassword",
              u."failedLoginCount", u."lockedUntil",
              old."locked" AS "wasLocked", old."lockedUntil" AS "prevLockedUntil", old."lockedAttempts" AS "prevLockedAttempts"`;
  return rows[0] ?? null;
}

/** A successful login: counters back to zero; hands back the lock it ended, if any. */
async function resetUser(id: string, now: Date): Promise<Pick<Counted, 'prevLockedUntil' | 'prevLockedAttempts'>> {
  const rows = await getDb().$queryRaw<Pick<Counted, 'prevLockedUntil' | 'prevLockedAttempts'>[]>`
    WITH old AS (SELECT "id", "lockedUntil", "lockedAttempts" FROM "User" WHERE "id" = ${id}::uuid FOR UPDATE)
    UPDATE "User" u SET "failedLoginCount" = 0, "lockedUntil" = NULL, "lockedAttempts" = 0,
                        "lastLoginAt" = ${now}::timestamptz, "updatedAt" = ${now}::timestamptz
    FROM old WHERE u."id" = old."id"
    RETURNING old."lockedUntil" AS "prevLockedUntil", old."lockedAttempts" AS "prevLockedAttempts"`;
  return rows[0] ?? { prevLockedUntil: null, prevLockedAttempts: 0 };
}

/**
 * Counts an attempt against a client address: refused while locked
 * (lockedAttempts + 1), otherwise one more failure in the current window (or the
 * first of a new one, also after a lock), locking for IP_WINDOW_MS at the threshold.
 */
async function countAddressAttempt(key: string, now: Date): Promise<CountedAddress> {
  const db = getDb();
  await db.$executeRaw`
    INSERT INTO "LoginThrottle" ("key", "failures", "windowStart") VALUES (${key}, 0, ${now}::timestamptz)
    ON CONFLICT ("key") DO NOTHING`;
  const rows = await db.$queryRaw<CountedAddress[]>`
    WITH old AS (
      SELECT "key", "failures", "windowStart", "lockedUntil", "lockedAttempts",
             ("lockedUntil" IS NOT NULL AND "lockedUntil" > ${now}::timestamptz) AS "locked",
             -- a lock that has run out starts a new window
             ("lockedUntil" IS NULL AND ${now}::timestamptz - "windowStart" < make_interval(secs => ${IP_WINDOW_MS}::float8 / 1000)) AS "inWindow"
      FROM "LoginThrottle" WHERE "key" = ${key}
      FOR UPDATE
    ), counted AS (
      SELECT old.*, CASE WHEN old."inWindow" THEN old."failures" + 1 ELSE 1 END AS "n" FROM old
    )
    UPDATE "LoginThrottle" t SET
      "lockedAttempts" = CASE WHEN c."locked" THEN c."lockedAttempts" + 1 ELSE 0 END,
      "failures" = CASE WHEN c."locked" THEN c."failures" ELSE c."n" END,
      "windowStart" = CASE WHEN c."locked" OR c."inWindow" THEN c."windowStart" ELSE ${now}::timestamptz END,
      "lockedUntil" = CASE
        WHEN c."locked" THEN c."lockedUntil"
        WHEN c."n" >= ${IP_FAILURES_BEFORE_LOCK}::int THEN ${now}::timestamptz + make_interval(secs => ${IP_WINDOW_MS}::float8 / 1000)
        ELSE NULL END
    FROM counted c WHERE t."key" = c."key"
    RETURNING t."failures", t."lockedUntil",
              c."locked" AS "wasLocked", c."lockedUntil" AS "prevLockedUntil", c."lockedAttempts" AS "prevLockedAttempts"`;
  return rows[0]!;
}

/**
 * A successful login from an address takes its counted failure back; when that
 * leaves the address under the threshold, a lock it is under is lifted (and
 * its lockedAttempts handed back).
 */
async function uncountAddressAttempt(key: string): Promise<Pick<Counted, 'lockedUntil' | 'prevLockedUntil' | 'prevLockedAttempts'>> {
  const rows = await getDb().$queryRaw<Pick<Counted, 'lockedUntil' | 'prevLockedUntil' | 'prevLockedAttempts'>[]>`
    WITH old AS (
      SELECT "key", "failures", "lockedUntil", "lockedAttempts",
             ("failures" - 1 < ${IP_FAILURES_BEFORE_LOCK}::int) AS "lift"
      FROM "LoginThrottle" WHERE "key" = ${key}
      FOR UPDATE
    )
    UPDATE "LoginThrottle" t SET
      "failures" = GREATEST(old."failures" - 1, 0),
      "lockedUntil" = CASE WHEN old."lift" THEN NULL ELSE old."lockedUntil" END,
      "lockedAttempts" = CASE WHEN old."lift" THEN 0 ELSE old."lockedAttempts" END
    FROM old WHERE t."key" = old."key"
    RETURNING t."lockedUntil", old."lockedUntil" AS "prevLockedUntil", old."lockedAttempts" AS "prevLockedAttempts"`;
  return rows[0] ?? { lockedUntil: null, prevLockedUntil: null, prevLockedAttempts: 0 };
}

type LockTarget = { targetType: 'user' | 'address'; targetId: string };

export async function login(input: {
  username: string;
  password: string;
  ip?: string | null;
  userAgent?: string | null;
  via?: AuditVia;
}): Promise<LoginResult> {
  const dummyHash = await dummyPasswordHash();
  const username = input.username.trim().toLowerCase();
  const ip = input.ip ? input.ip.slice(0, MAX_CLIENT_IP_LENGTH) : null;
  const ipKey = ip ? `ip:${ip}` : null;
  const via = input.via;
  const now = new Date();
  const lockAudit = (target: LockTarget, until: Date, failures: number) =>
    audit({
      action: 'auth.login.lock',
      actorName: username,
      ...target,
      ip,
      via,
      outcome: 'denied',
      details: { failures, until: until.toISOString() },
    });
  const unlockAudit = (target: LockTarget, refused: number, reason: 'expired' | 'signed in') =>
    audit({ action: 'auth.login.unlock', actorName: username, ...target, ip, via, details: { refused, reason } });
  const addressTarget: LockTarget | null = ip ? { targetType: 'address', targetId: ip } : null;

  const address = ipKey ? await countAddressAttempt(ipKey, now) : null;
  if (address?.wasLocked) {
    await verifyPassword(dummyHash, input.password); // the same work as every other answer
    return FAILED;
  }
  if (address?.prevLockedUntil && addressTarget) await unlockAudit(addressTarget, address.prevLockedAttempts, 'expired');
  const addressLockStarted = address?.lockedUntil ? address.lockedUntil : null;

  const user = await countUserAttempt(username, now);
  const userTarget: LockTarget | null = user ? { targetType: 'user', targetId: user.id } : null;
  if (user && userTarget && !user.wasLocked && user.prevLockedUntil) await unlockAudit(userTarget, user.prevLockedAttempts, 'expired');

  const verifiable = user !== null && !user.wasLocked;
  const valid = await verifyPassword(verifiable ? user.passwordHash : dummyHash, input.password);

  if (!verifiable || !valid || user.disabled) {
    if (!user?.wasLocked) {
      const reason = !user ? 'unknown user' : user.disabled ? 'disabled' : 'wrong credentials';
      await audit({ action: 'auth.login', actor: user ?? null, actorName: username, ip, via, outcome: 'failed', details: { reason } });
    }
    if (user && userTarget && !user.wasLocked && user.lockedUntil) await lockAudit(userTarget, user.lockedUntil, user.failedLoginCount);
    if (addressLockStarted && addressTarget && address) await lockAudit(addressTarget, addressLockStarted, address.failures);
    return FAILED;
  }

  const ended = await resetUser(user.id, now);
  const userLockStartedHere = user.lockedUntil !== null;
  if (userTarget && (ended.prevLockedAttempts > 0 || (ended.prevLockedUntil && !userLockStartedHere))) {
    await unlockAudit(userTarget, ended.prevLockedAttempts, 'signed in');
  }
  if (ipKey && addressTarget) {
    const lifted = await uncountAddressAttempt(ipKey);
    if (lifted.prevLockedUntil && !lifted.lockedUntil && (lifted.prevLockedAttempts > 0 || !addressLockStarted)) {
      await unlockAudit(addressTarget, lifted.prevLockedAttempts, 'signed in');
    }
  }
  const { token, expiresAt } = await createSession(user.id, { ip, userAgent: input.userAgent });
  await audit({ action: 'auth.login', actor: user, ip, via });
  return {
    ok: true,
    token,
    expiresAt,
    user: { id: user.id, username: user.username, role: user.role, mustChangePassword: user.mustChangePassword },
  };
}
