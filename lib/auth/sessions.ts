// Browser sessions: a random token in an HTTP-only, SameSite cookie; the database
// keeps only its SHA-256, the user, expiry and where it came from. A session ends
// after SESSION_IDLE (unused) or SESSION_MAX (since sign-in), whichever is first;
// a disabled user's sessions stop validating at once.
import { getDb } from '@/lib/db';
import { randomSecret, sha256Hex } from '@/lib/auth/crypto';
import type { Env } from '@/lib/env';

/** The cookie's name over plain HTTP (development, a loopback-only install). */
export const SESSION_COOKIE = 'hostdeck_session';
/** Over HTTPS: the __Host- prefix makes the browser insist on Secure, Path=/ and no Domain. */
export const SECURE_SESSION_COOKIE = '__Host-hostdeck_session';
export const SESSION_COOKIE_NAMES = [SECURE_SESSION_COOKIE, SESSION_COOKIE] as const;

/** The one cookie name for a request, chosen by whether it is secure (lib/auth/request-meta isSecureRequest). */
export function sessionCookieName(secure: boolean): string {
  return secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE;
}

const HOUR_MS = 60 * 60 * 1000;
export const DEFAULT_SESSION_IDLE_MS = 12 * HOUR_MS;
export const DEFAULT_SESSION_MAX_MS = 7 * 24 * HOUR_MS;
const TOUCH_INTERVAL_MS = 60 * 1000;

function positiveNumber(value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Idle and absolute session lifetimes: HOSTDECK_SESSION_IDLE_HOURS (12), HOSTDECK_SESSION_MAX_DAYS (7). */
export function sessionLifetimes(env: Env = process.env): { idleMs: number; maxMs: number } {
  const idleMs = positiveNumber(env.HOSTDECK_SESSION_IDLE_HOURS, DEFAULT_SESSION_IDLE_MS / HOUR_MS) * HOUR_MS;
  const maxMs = positiveNumber(env.HOSTDECK_SESSION_MAX_DAYS, DEFAULT_SESSION_MAX_MS / (24 * HOUR_MS)) * 24 * HOUR_MS;
  return { idleMs: Math.min(idleMs, maxMs), maxMs };
}

/** Kept for callers that show the idle lifetime. */
export const SESSION_TTL_MS = DEFAULT_SESSION_IDLE_MS;

function nextExpiry(createdAt: number, now: number): Date {
  const { idleMs, maxMs } = sessionLifetimes();
  return new Date(Math.min(now + idleMs, createdAt + maxMs));
}

export async function createSession(userId: string, meta: { ip?: string | null; userAgent?: string | null }) {
  const token = randomSecret();
  const now = Date.now();
  const expiresAt = nextExpiry(now, now);
  await getDb().session.create({
    data: {
      id: sha256Hex(token),
      userId,
      createdAt: new Date(now),
      lastSeenAt: new Date(now),
      expiresAt,
      ip: meta.ip?.slice(0, 64) ?? null,
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    },
  });
  return { token, expiresAt };
}

/**
 * The session's user when the token is valid; extends the session while it is
 * used, never past its absolute end. Expired sessions and those of disabled users
 * are deleted.
 */
export async function validateSession(token: string | undefined | null) {
  if (!token || token.length > 100) return null;
  const db = getDb();
  const id = sha256Hex(token);
  const session = await db.session.findUnique({ where: { id }, include: { user: true } });
  if (!session) return null;
  const now = Date.now();
  const absoluteEnd = session.createdAt.getTime() + sessionLifetimes().maxMs;
  if (session.expiresAt.getTime() <= now || absoluteEnd <= now || session.user.disabled) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({
      where: { id },
      data: { lastSeenAt: new Date(now), expiresAt: nextExpiry(session.createdAt.getTime(), now) },
    });
  }
  return { session, user: session.user };
}

export async function deleteSession(token: string): Promise<void> {
  await getDb().session.deleteMany({ where: { id: sha256Hex(token) } });
}

export async function deleteUserSessions(userId: string, exceptToken?: string): Promise<void> {
  await getDb().session.deleteMany({ where: { userId, ...(exceptToken ? { NOT: { id: sha256Hex(exceptToken) } } : {}) } });
}

/**
 * Cookie attributes. The cookie lives as long as the session's absolute lifetime
 * (the database ends it earlier when idle); secure cookies use the __Host- name
 * (sessionCookieName), which needs Secure, Path=/ and no Domain — as here.
 */
export function sessionCookieOptions(secure: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', maxAge: Math.floor(sessionLifetimes().maxMs / 1000) };
}

type CookieReader = { get(name: string): { value: string } | undefined };

/** The session token of a request, read under the one name its scheme implies. */
export function readSessionCookie(cookies: CookieReader, secure: boolean): string | undefined {
  return cookies.get(sessionCookieName(secure))?.value;
}
