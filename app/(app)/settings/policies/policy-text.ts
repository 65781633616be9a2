// What each policy means, in words (the admin's form and everyone's read-only view).
import type { Role } from '@/lib/auth/roles';

export function consoleRoleText(role: Role): string {
  return role === 'admin'
    ? 'Only admins may open VM consoles.'
    : `${role[0]!.toUpperCase()}${role.slice(1)}s and above may open VM consoles.`;
}

export function fourEyesText(on: boolean): string {
  return on ? 'A change must be approved by someone other than its author.' : 'An approver may approve their own change.';
}
