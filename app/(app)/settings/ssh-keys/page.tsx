// Settings → SSH keys (admin): the keys Hostdeck logs in to hosts with, each with
// the exact authorized_keys line to install; upload an existing key.
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { requireUser } from '@/lib/auth/current-user';
import { authorizedKeysLineFor, defaultSshKey, listSshKeys } from '@/lib/hosts/ssh-keys';
import { formatDateTime } from '@/lib/utils';
import { UploadKeyForm } from './upload-form';

export const metadata = { title: 'SSH keys' };

export default async function SshKeysPage() {
  await requireUser('admin');
  await defaultSshKey();
  const keys = await listSshKeys();
  return (
    <div className="grid gap-6">
      {keys.map((key) => (
        <Card key={key.id} data-ssh-key={key.name}>
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              {key.name} {key.isDefault && <Badge>default</Badge>}
            </CardTitle>
            <CardDescription className="font-mono text-xs">
              {key.fingerprint} · added {formatDateTime(key.createdAt)}
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-1 text-sm">
            <span className="text-xs text-muted-foreground">authorized_keys line:</span>
            <code className="block break-all rounded bg-muted p-2 text-xs">{authorizedKeysLineFor(key)}</code>
          </CardContent>
        </Card>
      ))}
      <Card>
        <CardHeader>
          <CardTitle>Upload a key</CardTitle>
          <CardDescription>
            Use an existing key instead of the one Hostdeck generated. It is stored encrypted and never shown again.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <UploadKeyForm />
        </CardContent>
      </Card>
    </div>
  );
}
