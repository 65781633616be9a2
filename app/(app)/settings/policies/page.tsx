// Settings → Policies: who may open consoles, and whether changes need a
// second person's approval. Everyone signed in sees them (they decide what
// each user may do, and GET /api/v1/settings shows them too); only admins
// change them.
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { readPolicies } from '@/lib/settings';
import { PoliciesForm } from './policies-form';
import { consoleRoleText, fourEyesText } from './policy-text';

export const metadata = { title: 'Policies' };

export default async function PoliciesPage() {
  const user = await requireUser();
  const policies = await readPolicies();
  if (user.role === 'admin') return <PoliciesForm policies={policies} />;
  return (
    <Card data-testid="policies-read-only">
      <CardHeader>
        <CardTitle>Policies</CardTitle>
        <CardDescription>Set by the admins; they apply to everyone.</CardDescription>
      </CardHeader>
      <CardContent>
        <dl className="grid gap-4 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="font-medium">Consoles</dt>
          <dd data-testid="policy-console-role">
            <Badge variant="muted">{policies.consoleMinRole}</Badge> {consoleRoleText(policies.consoleMinRole)}
          </dd>
          <dt className="font-medium">Four-eyes approval</dt>
          <dd data-testid="policy-four-eyes">
            <Badge variant="muted">{policies.fourEyes ? 'on' : 'off'}</Badge> {fourEyesText(policies.fourEyes)}
          </dd>
        </dl>
      </CardContent>
    </Card>
  );
}
