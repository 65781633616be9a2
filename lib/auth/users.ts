// User accounts: create, list, change role, disable, reset and change passwords,
// and the first-run way in (HOSTDECK_ADMIN_PASSWORD, or a one-time setup token).
import { getDb, type Prisma } from '@/lib/db';
import { DomainError } from '@/lib/errors';
import { hashPassword, verifyPassword } from '@/lib/auth/password';
import { randomSecret, safeEqual, sha256Hex } from '@/lib/auth/crypto';
import { revokeUserTokens } from '@/lib/auth/tokens';
import { audit } from '@/lib/auth/audit';
import { passwordSchema, usernameSchema } from '@/lib/auth/account-input';
import { looksLikeUuid } from '@/lib/spec/primitives';
import { roleAbove, type Role } from '@/lib/auth/roles';
import type { Env } from '@/lib/env';

/** A refused change of an account (lib/errors): invalid input by default, or not found, forbidden, a conflict. */
export class UserError extends DomainError {
  constructor(message: string, field?: string, code: 'invalid_input' | 'conflict' | 'not_found' | 'forbidden' = 'invalid_input') {
    super(code, message, field === undefined ? {} : { field });
  }
}

/**
 * Who manages a user, when it is a signed-in user or an API token: `role` is the
 * effective role (a token's is min(ceiling, its user's role)). Nobody is given,
 * or managed at, a role above it; an admin cannot disable themselves. The CLI
 * (shell access to the server) passes no actor.
 */
export type Actor = { id: string; role: Role };

const publicUserSelect = {
  id: true,
  username: true,
  displayName: true,
  role: true,
  disabled: true,
  lastLoginAt: true,
  createdAt: true,
  lockedUntil: true,
  mustChangePassword: true,
} as const;

export type PublicUser = {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  lockedUntil: Date | null;
  mustChangePassword: boolean;
};

function assertCeiling(role: Role, by: Actor | undefined, what: string): void {
  if (by && roleAbove(role, by.role)) throw new UserError(`${what}: that needs more than your ${by.role} role`, 'role', 'forbidden');
}

export async function createUser(
  input: { username: string; password: string; role: Role; displayName?: string; mustChangePassword?: boolean },
  by?: Actor,
): Promise<PublicUser> {
  assertCeiling(input.role, by, `Cannot create a user with the role ${input.role}`);
  const db = getDb();
  const username = input.username.toLowerCase();
  if (await db.user.findUnique({ where: { username } }))
    throw new UserError(`A user named "${username}" already exists`, 'username', 'conflict');
  return db.user.create({
    data: {
      username,
      displayName: input.displayName || null,
      role: input.role,
      passwordHash: await hashPassword(input.password),
      mustChangePassword: input.mustChangePassword ?? false,
    },
    select: publicUserSelect,
  });
}

export function listUsers(): Promise<PublicUser[]> {
  return getDb().user.findMany({ orderBy: { username: 'asc' }, select: publicUserSelect });
}

export async function findUser(idOrUsername: string): Promise<PublicUser | null> {
  const db = getDb();
  return db.user.findFirst({
    where: looksLikeUuid(idOrUsername) ? { id: idOrUsername } : { username: idOrUsername.toLowerCase() },
    select: publicUserSelect,
  });
}

/** The user by id or username, or not_found (404). */
export async function findUserOrThrow(idOrUsername: string): Promise<PublicUser> {
  const user = await findUser(idOrUsername);
  if (!user) throw new UserError(looksLikeUuid(idOrUsername) ? 'No such user' : `No user named "${idOrUsername}"`, undefined, 'not_found');
  return user;
}

/** Every change that can lower the number of enabled admins takes this lock first. */
const ADMIN_SET_LOCK = 7310002;

/**
 * Runs fn in a transaction holding the admin-set lock, so "is this the last
 * enabled admin?" and the change that depends on it cannot interleave with
 * another such change (two parallel demotions of the last two admins leave one).
 * Each statement after the lock reads what the previous holder committed.
 */
function withAdminSetLock<T>(fn: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  return getDb().$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_SET_LOCK}::bigint)`;
      return fn(tx);
    },
    { maxWait: 10_000, timeout: 20_000 },
  );
}

async function assertNotLastAdmin(tx: Prisma.TransactionClient, target: { role: Role; disabled: boolean }, message: string): Promise<void> {
  if (target.role !== 'admin' || target.disabled) return;
  const admins = await tx.user.count({ where: { role: 'admin', disabled: false } });
  if (admins <= 1) throw new UserError(message, 'role', 'conflict');
}

/** Changes a role; refuses to leave the installation without an enabled admin. */
export async function setUserRole(userId: string, role: Role, by?: Actor): Promise<PublicUser> {
  assertCeiling(role, by, `Cannot give the role ${role}`);
  return withAdminSetLock(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new UserError('No such user', 'userId', 'not_found');
    assertCeiling(user.role, by, `Cannot change the role of ${user.username}`);
    if (role !== 'admin') await assertNotLastAdmin(tx, user, 'This is the last admin: make another user admin first');
    return tx.user.update({ where: { id: userId }, data: { role }, select: publicUserSelect });
  });
}

/**
 * Disables or enables a user. A disabled user cannot sign in, and their sessions
 * (deleted here) and API tokens (refused at validation) stop working at once;
 * enabling them again brings their unrevoked tokens back. Nobody disables
 * themselves, nor the last enabled admin.
 */
export async function setUserDisabled(userId: string, disabled: boolean, by?: Actor): Promise<PublicUser & { sessionsEnded: number }> {
  if (by && disabled && by.id === userId) throw new UserError('You cannot disable yourself', 'disabled', 'conflict');
  return withAdminSetLock(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new UserError('No such user', 'userId', 'not_found');
    assertCeiling(user.role, by, `Cannot ${disabled ? 'disable' : 'enable'} ${user.username}`);
    if (disabled) await assertNotLastAdmin(tx, user, 'This is the last enabled admin: make another user admin first');
    const updated = await tx.user.update({ where: { id: userId }, data: { disabled }, select: publicUserSelect });
    const { count } = disabled ? await tx.session.deleteMany({ where: { userId } }) : { count: 0 };
    return { ...updated, sessionsEnded: count };
  });
}

export type Revoked = { sessionsEnded: number; tokensRevoked: number };

/** Admin reset: sets a new password, clears lockout, ends all the user's sessions and revokes all their API tokens. */
export async function resetPassword(userId: string, password: string, mustChange = true, by?: Actor): Promise<Revoked> {
  const passwordHash = await hashPassword(password);
  return getDb().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new UserError('No such user', 'userId', 'not_found');
    assertCeiling(user.role, by, `Cannot reset the password of ${user.username}`);
    await tx.user.update({
      where: { id: userId },
      data: { passwordHash, failedLoginCount: 0, lockedUntil: null, mustChangePassword: mustChange },
    });
    const sessions = await tx.session.deleteMany({ where: { userId } });
    return { sessionsEnded: sessions.count, tokensRevoked: await revokeUserTokens(userId, tx) };
  });
}

/** Own change: checks the current password, ends the user's other sessions (keeps `keepSessionToken`'s) and revokes all their API tokens. */
export async function changeOwnPassword(
  userId: string,
  currentPassword: string,
  newPassword: string,
  keepSessionToken?: string,
): Promise<Revoked> {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  if (!(await verifyPassword(user.passwordHash, currentPassword))) throw new UserError('Current password is wrong', 'currentPassword');
  const passwordHash = await hashPassword(newPassword);
  return db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false } });
    const sessions = await tx.session.deleteMany({
      where: { userId, ...(keepSessionToken ? { NOT: { id: sha256Hex(keepSessionToken) } } : {}) },
    });
    return { sessionsEnded: sessions.count, tokensRevoked: await revokeUserTokens(userId, tx) };
  });
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
    await audit({
      action: 'user.create',
      actorName: 'system',
      via: 'system',
      targetType: 'user',
      targetId: admin.id,
      details: { username, role: 'admin', firstRun: true, from: 'HOSTDECK_ADMIN_PASSWORD' },
    });
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
    if (!value?.hash || !safeEqual(value.hash, sha256Hex(input.token)))
      throw new UserError('The setup token is wrong; use the one printed in the server log', 'token');
    if (!value.expiresAt || new Date(value.expiresAt) < new Date())
      throw new UserError('The setup token has expired; restart the server to get a new one', 'token');
    await tx.setting.delete({ where: { key: SETUP_KEY } });
    return tx.user.create({ data: { username: input.username.toLowerCase(), passwordHash, role: 'admin' }, select: publicUserSelect });
  });
}
