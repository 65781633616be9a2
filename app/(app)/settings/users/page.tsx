// Settings → Users (admin): accounts, their roles, and disabling them.
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { listUsers } from '@/lib/auth/users';
import { formatDateTime } from '@/lib/utils';
import { CreateUserForm, DisableUserButton, RoleSelect } from './user-forms';

export const metadata = { title: 'Users' };

export default async function UsersPage() {
  const me = await requireUser('admin');
  const users = await listUsers();
  return (
    <div className="grid gap-6">
      <Table data-testid="users-table">
        <TableHeader>
          <TableRow>
            <TableHead>User</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Last sign-in</TableHead>
            <TableHead>Status</TableHead>
            <TableHead />
          </TableRow>
        </TableHeader>
        <TableBody>
          {users.map((u) => (
            <TableRow key={u.id} data-username={u.username}>
              <TableCell>
                <div className="font-medium">{u.username}</div>
                {u.displayName && <div className="text-xs text-muted-foreground">{u.displayName}</div>}
              </TableCell>
              <TableCell>
                <RoleSelect userId={u.id} username={u.username} role={u.role} />
              </TableCell>
              <TableCell className="text-xs">{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'never'}</TableCell>
              <TableCell>
                {u.disabled ? (
                  <Badge variant="destructive">disabled</Badge>
                ) : u.lockedUntil && u.lockedUntil > new Date() ? (
                  <Badge variant="warning">locked</Badge>
                ) : (
                  <Badge variant="success">active</Badge>
                )}
              </TableCell>
              <TableCell className="text-right">
                {u.id !== me.id && <DisableUserButton userId={u.id} username={u.username} disabled={u.disabled} />}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Card>
        <CardHeader>
          <CardTitle>New user</CardTitle>
        </CardHeader>
        <CardContent>
          <CreateUserForm />
        </CardContent>
      </Card>
    </div>
  );
}
