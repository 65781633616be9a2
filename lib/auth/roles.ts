// Roles and their order: viewer < operator < approver < admin.
// Pure (no Prisma import at run time), so client components may use it; the
// type check below keeps it equal to the database's Role enum.
import type { Role as DatabaseRole } from '@/lib/generated/prisma/enums';

export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rolesMatchDatabase: Same<Role, DatabaseRole> = true;
void rolesMatchDatabase;

const rank: Record<Role, number> = { viewer: 0, operator: 1, approver: 2, admin: 3 };

export function hasRole(actual: Role, required: Role): boolean {
  return rank[actual] >= rank[required];
}

/** Whether `role` is above `ceiling` (what an actor with role `ceiling` may never grant or manage). */
export function roleAbove(role: Role, ceiling: Role): boolean {
  return rank[role] > rank[ceiling];
}

/** The lower of two roles: a token's effective role is min(token ceiling, user role). */
export function minRole(a: Role, b: Role): Role {
  return rank[a] <= rank[b] ? a : b;
}
