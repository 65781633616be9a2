// /login — sign in. Sends signed-in users on, and a fresh installation to /setup.
import { redirect } from 'next/navigation';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { getCurrentUser } from '@/lib/auth/current-user';
import { userCount } from '@/lib/auth/users';
import { LoginForm } from './login-form';

export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  if (await getCurrentUser()) redirect('/');
  if ((await userCount()) === 0) redirect('/setup');
  return (
    <Card>
      <CardHeader>
        <CardTitle>Sign in</CardTitle>
        <CardDescription>Your hosts, VMs and their configuration in one place.</CardDescription>
      </CardHeader>
      <CardContent>
        <LoginForm next={typeof next === 'string' ? next : undefined} />
      </CardContent>
    </Card>
  );
}
