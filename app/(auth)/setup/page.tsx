// /setup — first run only: create the first admin with the one-time setup token.
import { redirect } from 'next/navigation';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { userCount } from '@/lib/auth/users';
import { SetupForm } from './setup-form';

export const dynamic = 'force-dynamic';

export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string }> }) {
  if ((await userCount()) > 0) redirect('/login');
  const { token } = await searchParams;
  return (
    <Card>
      <CardHeader>
        <CardTitle>Welcome to Hostdeck</CardTitle>
        <CardDescription>
          Create the first admin account. The setup token was printed in the server log when Hostdeck started.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <SetupForm token={typeof token === 'string' ? token : undefined} />
      </CardContent>
    </Card>
  );
}
