// API tokens: shown once at creation ("hdk_" + random), stored as SHA-256,
// with a role ceiling, optional expiry, revocation and last-used time.
import { getDb, type Prisma } from '@/lib/db';
import { DomainError, notFound } from '@/lib/errors';
import { randomSecret, sha256Hex } from '@/lib/auth/crypto';
import { minRole, type Role } from '@/lib/auth/roles';

export const TOKEN_PREFIX = 'hdk_';
const LAST_USED_RESOLUTION_MS = 60 * 1000;

/** A refused token operation (lib/errors): a name the user already uses is a conflict on that field. */
export class TokenError extends DomainError {
  constructor(message: string, field?: string) {
    super('conflict', message, field === undefined ? {} : { field });
  }
}

export async function createApiToken(userId: string, input: { name: string; role: Role; expiresInDays?: number }) {
  const db = getDb();
  const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
  const existing = await db.apiToken.findFirst({ where: { userId, name: input.name } });
  if (existing) throw new TokenError(`You already have a token named "${input.name}"`, 'name');
  const secret = TOKEN_PREFIX + randomSecret();
  const token = await db.apiToken.create({
    data: {
      userId,
      name: input.name,
      role: minRole(input.role, user.role),
      prefix: secret.slice(0, 10),
      tokenHash: sha256Hex(secret),
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    },
  });
  return { token: publicToken(token), secret };
}

export function publicToken(t: {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    role: t.role,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
  };
}

export async function listApiTokens(userId?: string) {
  const tokens = await getDb().apiToken.findMany({
    where: userId ? { userId } : {},
    orderBy: { createdAt: 'desc' },
    include: { user: { select: { username: true } } },
  });
  return tokens.map((t) => ({ ...publicToken(t), userId: t.userId, username: t.user.username }));
}

/** Revokes a token; only its owner or an admin may. Returns the token, or null when not found. */
export async function revokeApiToken(tokenId: string, by: { id: string; role: Role }) {
  const db = getDb();
  const token = await db.apiToken.findUnique({ where: { id: tokenId } });
  if (!token || (token.userId !== by.id && by.role !== 'admin')) return null;
  if (token.revokedAt) return token;
  return db.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } });
}

/** revokeApiToken, with a token that is not there (or not the caller's) as not_found. */
export async function revokeApiTokenOrThrow(tokenId: string, by: { id: string; role: Role }) {
  const token = await revokeApiToken(tokenId, by);
  if (!token) throw notFound('token');
  return token;
}

/** Revokes every live token of a user (password reset or change); returns how many. */
export async function revokeUserTokens(userId: string, db: Prisma.TransactionClient = getDb()): Promise<number> {
  const { count } = await db.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}

/** The token's user and effective role (min of ceiling and the user's role), or null. */
export async function validateApiToken(secret: string) {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) return null;
  const db = getDb();
  const token = await db.apiToken.findUnique({ where: { tokenHash: sha256Hex(secret) }, include: { user: true } });
  const now = Date.now();
  if (!token || token.revokedAt || token.user.disabled || (token.expiresAt && token.expiresAt.getTime() <= now)) return null;
  if (!token.lastUsedAt || now - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: new Date(now) } });
  }
  return { token, user: token.user, role: minRole(token.role, token.user.role) };
}
