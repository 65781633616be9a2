'use client';
import { useAction } from 'next-safe-action/hooks';
import { createTokenAction, revokeTokenAction } from '@/lib/actions/tokens';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { Alert } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/select';
import { ROLES, hasRole, type Role } from '@/lib/auth/roles';

export function CreateTokenForm({ userRole }: { userRole: Role }) {
  const form = useActionForm(createTokenAction);
  const created = form.data as { secret: string; name: string; role: string } | undefined;
  return (
    <div className="grid gap-4">
      {created && (
        <Alert variant="success" data-testid="new-token">
          <p className="mb-2 font-medium">
            Token “{created.name}” ({created.role}) created. Copy it now: it will not be shown again.
          </p>
          <code className="block break-all rounded bg-muted p-2 font-mono text-xs" data-testid="new-token-secret">
            {created.secret}
          </code>
        </Alert>
      )}
      <form onSubmit={form.onSubmit} className="grid max-w-lg gap-4 sm:grid-cols-[1fr_10rem_8rem_auto] sm:items-start" noValidate>
        <FormField name="name" label="Name" placeholder="e.g. ci-pipeline" error={form.fieldError('name')} />
        <div className="grid gap-1.5">
          <Label htmlFor="field-role">Role ceiling</Label>
          <NativeSelect id="field-role" name="role" defaultValue="viewer">
            {ROLES.filter((r) => hasRole(userRole, r)).map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </NativeSelect>
        </div>
        <FormField
          name="expiresInDays"
          label="Expires (days)"
          inputMode="numeric"
          placeholder="never"
          error={form.fieldError('expiresInDays')}
        />
        <Button type="submit" className="sm:mt-6" disabled={form.isPending}>
          Create token
        </Button>
      </form>
      <FormMessages error={form.formError} />
    </div>
  );
}

export function RevokeTokenButton({ tokenId, name, owner }: { tokenId: string; name: string; owner?: string }) {
  const what = owner ? `${owner}'s token “${name}”` : `the token “${name}”`;
  const revoke = useAction(revokeTokenAction);
  return (
    <Button
      variant="outline"
      size="sm"
      disabled={revoke.isPending}
      aria-label={owner ? `Revoke ${name} of ${owner}` : `Revoke ${name}`}
      onClick={() => {
        if (window.confirm(`Revoke ${what}? Anything using it stops working.`)) revoke.execute({ tokenId });
      }}
    >
      Revoke
    </Button>
  );
}
