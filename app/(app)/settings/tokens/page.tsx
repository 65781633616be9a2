// Settings → API tokens: create, list (with last use) and revoke your tokens;
// admins also see and revoke every other user's tokens, with the owner shown.
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireUser } from '@/lib/auth/current-user';
import { listApiTokens } from '@/lib/auth/tokens';
import { formatDateTime } from '@/lib/utils';
import { CreateTokenForm, RevokeTokenButton } from './token-forms';

export const metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const user = await requireUser();
  const tokens = await listApiTokens(user.role === 'admin' ? undefined : user.id);
  const own = tokens.filter((t) => t.userId === user.id);
  const others = tokens.filter((t) => t.userId !== user.id);
  return (
    <div className="grid gap-6">
      <Card>
        <CardHeader>
          <CardTitle>New API token</CardTitle>
          <CardDescription>
            For scripts and CI: send it as <code>Authorization: Bearer &lt;token&gt;</code> to <code>/api/v1</code>. Its role is a ceiling:
            it never has more rights than you.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <CreateTokenForm userRole={user.role} />
        </CardContent>
      </Card>
      <TokenTable tokens={own} testId="tokens-table" empty="No tokens yet." />
      {user.role === 'admin' && (
        <Card>
          <CardHeader>
            <CardTitle>Other users' tokens</CardTitle>
            <CardDescription>As an admin you see every user's tokens and may revoke them.</CardDescription>
          </CardHeader>
          <CardContent>
            <TokenTable tokens={others} testId="other-tokens-table" showOwner empty="No other user has a token." />
          </CardContent>
        </Card>
      )}
    </div>
  );
}

type TokenRow = Awaited<ReturnType<typeof listApiTokens>>[number];

function TokenTable({
  tokens,
  testId,
  showOwner = false,
  empty,
}: {
  tokens: TokenRow[];
  testId: string;
  showOwner?: boolean;
  empty: string;
}) {
  return (
    <Table data-testid={testId}>
      <TableHeader>
        <TableRow>
          {showOwner && <TableHead>Owner</TableHead>}
          <TableHead>Name</TableHead>
          <TableHead>Token</TableHead>
          <TableHead>Role</TableHead>
          <TableHead>Created</TableHead>
          <TableHead>Last used</TableHead>
          <TableHead>Status</TableHead>
          <TableHead />
        </TableRow>
      </TableHeader>
      <TableBody>
        {tokens.map((t) => {
          const expired = t.expiresAt && t.expiresAt < new Date();
          return (
            <TableRow key={t.id} data-token-name={t.name} data-token-owner={t.username}>
              {showOwner && <TableCell className="font-medium">{t.username}</TableCell>}
              <TableCell className="font-medium">{t.name}</TableCell>
              <TableCell className="font-mono text-xs">{t.prefix}…</TableCell>
              <TableCell>
                <Badge variant="muted">{t.role}</Badge>
              </TableCell>
              <TableCell className="text-xs">{formatDateTime(t.createdAt)}</TableCell>
              <TableCell className="text-xs">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never'}</TableCell>
              <TableCell>
                {t.revokedAt ? (
                  <Badge variant="destructive">revoked</Badge>
                ) : expired ? (
                  <Badge variant="warning">expired</Badge>
                ) : (
                  <Badge variant="success">active</Badge>
                )}
              </TableCell>
              <TableCell className="text-right">
                {!t.revokedAt && <RevokeTokenButton tokenId={t.id} name={t.name} owner={showOwner ? t.username : undefined} />}
              </TableCell>
            </TableRow>
          );
        })}
        {tokens.length === 0 && (
          <TableRow>
            <TableCell colSpan={showOwner ? 8 : 7} className="py-8 text-center text-muted-foreground">
              {empty}
            </TableCell>
          </TableRow>
        )}
      </TableBody>
    </Table>
  );
}
