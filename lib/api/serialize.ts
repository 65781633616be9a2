// Shapes database rows into API objects (no password hashes, no token hashes).
import type { PublicUser } from '@/lib/auth/users';

export function apiUser(u: PublicUser) {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    disabled: u.disabled,
    lastLoginAt: u.lastLoginAt,
    createdAt: u.createdAt,
  };
}
