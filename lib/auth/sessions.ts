// Browser sessions: a random token in an HTTP-only, SameSite cookie; the database
// keeps only its SHA-256, the user, expiry and where it came from.
import { getDb } from '@/lib/db';
import { randomSecret, sha256Hex } from '@/lib/auth/crypto';

export const SESSION_COOKIE = 'hostdeck_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const TOUCH_INTERVAL_MS = 60 * 1000;

export async function createSession(userId: string, meta: { ip?: string | null; userAgent?: string | null }) {
  const token = randomSecret();
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await getDb().session.create({
    data: { id: sha256Hex(token), userId, expiresAt, ip: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 512) ?? null },
  });
  return { token, expiresAt };
}

/** The session's user when the token is valid; extends the session while it is used. */
export async function validateSession(token: string | undefined | null) {
  if (!token || token.length > 100) return null;
  const db = getDb();
  const id = sha256Hex(token);
  const session = await db.session.findUnique({ where: { id }, include: { user: true } });
  if (!session) return null;
  const now = Date.now();
  if (session.expiresAt.getTime() <= now || session.user.disabled) {
    await db.session.deleteMany({ where: { id } });
    return null;
  }
  if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
    await db.session.update({ where: { id }, data: { lastSeenAt: new Date(now), expiresAt: new Date(now + SESSION_TTL_MS) } });
  }
  return { session, user: session.user };
}

export async function deleteSession(token: string): Promise<void> {
  await getDb().session.deleteMany({ where: { id: sha256Hex(token) } });
}

export async function deleteUserSessions(userId: string, exceptToken?: string): Promise<void> {
  await getDb().session.deleteMany({ where: { userId, ...(exceptToken ? { NOT: { id: sha256Hex(exceptToken) } } : {}) } });
}

export function sessionCookieOptions(expiresAt: Date, secure: boolean) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', expires: expiresAt };
}
