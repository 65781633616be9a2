// Roles and their order: viewer < operator < approver < admin.
import { Role } from '@/lib/generated/prisma/enums';

export { Role };
export const ROLES = ['viewer', 'operator', 'approver', 'admin'] as const satisfies readonly Role[];

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

export const roleLabels: Record<Role, string> = {
  viewer: 'Viewer',
  operator: 'Operator',
  approver: 'Approver',
  admin: 'Admin',
};
