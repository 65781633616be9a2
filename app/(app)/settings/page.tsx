// Settings → Account: who you are, and your password.
import { Alert } from '@/components/ui/alert';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { ChangePasswordForm } from './change-password-form';

export const metadata = { title: 'Settings' };

export default async function AccountSettingsPage() {
  const user = await requireUser();
  return (
    <div className="grid gap-6">
      {user.mustChangePassword && <Alert variant="warning">Your password was set by an admin. Choose your own password now.</Alert>}
      <Card>
        <CardHeader>
          <CardTitle>Account</CardTitle>
        </CardHeader>
        <CardContent className="text-sm">
          Signed in as <strong>{user.username}</strong> with the role <Badge variant="muted">{user.role}</Badge>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Password</CardTitle>
        </CardHeader>
        <CardContent>
          <ChangePasswordForm />
        </CardContent>
      </Card>
    </div>
  );
}
