// User accounts: create, list, change role, reset and change passwords, and the
// first-run way in (HOSTDECK_ADMIN_PASSWORD, or a one-time setup token).
import { getDb } from '@/lib/db';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { randomSecret, safeEqual, sha256Hex } from '@/lib/auth/crypto';
import { deleteUserSessions } from '@/lib/auth/sessions';
import { audit } from '@/lib/auth/audit';
import { passwordSchema, usernameSchema } from '@/lib/spec/account';
import { looksLikeUuid } from '@/lib/spec/primitives';
import type { Role } from '@/lib/auth/roles';
import type { Env } from '@/lib/env';

export class UserError extends Error {
  constructor(message: string, readonly field?: string, readonly code: 'invalid' | 'conflict' | 'not_found' = 'invalid') {
    super(message);
  }
}

const publicUserSelect = {
  id: true, username: true, displayName: true, role: true, disabled: true, lastLoginAt: true, createdAt: true, lockedUntil: true, mustChangePassword: true,
} as const;

export type PublicUser = { id: string; username: string; displayName: string | null; role: Role; disabled: boolean; lastLoginAt: Date | null; createdAt: Date; lockedUntil: Date | null; mustChangePassword: boolean };

export async function createUser(input: { username: string; password: string; role: Role; displayName?: string; mustChangePassword?: boolean }): Promise<PublicUser> {
  const db = getDb();
  const username = input.username.toLowerCase();
  if (await db.user.findUnique({ where: { username } })) throw new UserError(`A user named "${username}" already exists`, 'username', 'conflict');
  return db.user.create({
    data: { username, displayName: input.displayName || null, role: input.role, passwordHash: await hashPassword(input.password), mustChangePassword: input.mustChangePassword ?? false },
    select: publicUserSelect,
  });
}

export function listUsers(): Promise<PublicUser[]> {
  return getDb().user.findMany({ orderBy: { username: 'asc' }, select: publicUserSelect });
}

export async function findUser(idOrUsername: string): Promise<PublicUser | null> {
  const db = getDb();
  return db.user.findFirst({ where: looksLikeUuid(idOrUsername) ? { id: idOrUsername } : { username: idOrUsername.toLowerCase() }, select: publicUserSelect });
}

/** Changes a role; refuses to leave the installation without an admin. */
export async function setUserRole(userId: string, role: Role): Promise<PublicUser> {
  const db = getDb();
  return db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new UserError('No such user', 'userId', 'not_found');
    if (user.role === 'admin' && role !== 'admin') {
      const admins = await tx.user.count({ where: { role: 'admin', disabled: false } });
      if (admins <= 1) throw new UserError('This is the last admin: make another user admin first', 'role', 'conflict');
    }
    return tx.user.update({ where: { id: userId }, data: { role }, select: publicUserSelect });
  });
}

/** Admin reset: sets a new password, clears lockout, ends the user's sessions. */
export async function resetPassword(userId: string, password: string, mustChange = true): Promise<void> {
  const db = getDb();
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password), failedLoginCount: 0, lockedUntil: null, mustChangePassword: mustChange } });
  await deleteUserSessions(userId);
}

export async function changeOwnPassword(userId: string, currentPassword: string, newPassword: string, keepSessionToken?: string): Promise<void> {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, currentPassword))) throw new UserError('Current password is wrong', 'currentPassword');
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(newPassword), mustChangePassword: false } });
  await deleteUserSessions(userId, keepSessionToken);
}

// ---- First run -------------------------------------------------------------

const SETUP_KEY = 'setup_token';
const SETUP_TTL_MS = 24 * 60 * 60 * 1000;

export async function userCount(): Promise<number> {
  return getDb().user.count();
}

export type FirstRunOutcome =
  | { kind: 'has-users' }
  | { kind: 'admin-created'; username: string }
  | { kind: 'setup-token'; token: string; expiresAt: Date };

/**
 * With no users: create the admin from HOSTDECK_ADMIN_PASSWORD when it is set,
 * else issue a one-time setup token (printed by the caller, stored hashed).
 * Never a default password.
 */
export async function ensureFirstRun(env: Env = process.env): Promise<FirstRunOutcome> {
  if ((await userCount()) > 0) return { kind: 'has-users' };
  const password = env.HOSTDECK_ADMIN_PASSWORD;
  if (password) {
    const username = usernameSchema.parse(env.HOSTDECK_ADMIN_USERNAME ?? 'admin');
    const checked = passwordSchema.safeParse(password);
    if (!checked.success) throw new UserError(`HOSTDECK_ADMIN_PASSWORD: ${checked.error.issues[0]?.message}`, 'HOSTDECK_ADMIN_PASSWORD');
    const admin = await createUser({ username, password, role: 'admin' });
    await audit({ action: 'user.create', actorName: 'system', via: 'system', targetType: 'user', targetId: admin.id, details: { username, role: 'admin', firstRun: true, from: 'HOSTDECK_ADMIN_PASSWORD' } });
    return { kind: 'admin-created', username };
  }
  const token = randomSecret(24);
  const expiresAt = new Date(Date.now() + SETUP_TTL_MS);
  await getDb().setting.upsert({
    where: { key: SETUP_KEY },
    create: { key: SETUP_KEY, value: { hash: sha256Hex(token), expiresAt: expiresAt.toISOString() } },
    update: { value: { hash: sha256Hex(token), expiresAt: expiresAt.toISOString() } },
  });
  return { kind: 'setup-token', token, expiresAt };
}

/** Creates the first admin with a valid setup token, once; afterwards the token is gone. */
export async function completeSetup(input: { token: string; username: string; password: string }): Promise<PublicUser> {
  const db = getDb();
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(7310001)`;
    if ((await tx.user.count()) > 0) throw new UserError('Hostdeck is already set up: log in instead', 'token', 'conflict');
    const setting = await tx.setting.findUnique({ where: { key: SETUP_KEY } });
    const value = setting?.value as { hash?: string; expiresAt?: string } | undefined;
    if (!value?.hash || !safeEqual(value.hash, sha256Hex(input.token))) throw new UserError('The setup token is wrong; use the one printed in the server log', 'token');
    if (!value.expiresAt || new Date(value.expiresAt) < new Date()) throw new UserError('The setup token has expired; restart the server to get a new one', 'token');
    await tx.setting.delete({ where: { key: SETUP_KEY } });
    return tx.user.create({ data: { username: input.username.toLowerCase(), passwordHash, role: 'admin' }, select: publicUserSelect });
  });
}
