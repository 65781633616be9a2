'use client';
// Admin forms: create a user, change a role, disable or enable a user.
import { useAction } from 'next-safe-action/hooks';
import { createUserAction, setDisabledAction, setRoleAction } from '@/lib/actions/users';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/select';
import { ROLES, type Role } from '@/lib/auth/roles';

export function CreateUserForm() {
  const form = useActionForm(createUserAction);
  return (
    <form onSubmit={form.onSubmit} className="grid max-w-md gap-4" noValidate>
      <FormMessages error={form.formError} message={form.message} />
      <FormField name="username" label="Username" error={form.fieldError('username')} />
      <FormField name="displayName" label="Display name (optional)" error={form.fieldError('displayName')} />
      <FormField
        name="password"
        label="Initial password"
        type="password"
        autoComplete="new-password"
        hint="They must change it at first login."
        error={form.fieldError('password')}
      />
      <div className="grid gap-1.5">
        <Label htmlFor="field-new-role">Role</Label>
        <NativeSelect id="field-new-role" name="role" defaultValue="viewer">
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </NativeSelect>
      </div>
      <Button type="submit" disabled={form.isPending} className="justify-self-start">
        Create user
      </Button>
    </form>
  );
}

export function RoleSelect({ userId, username, role }: { userId: string; username: string; role: Role }) {
  const action = useAction(setRoleAction);
  return (
    <div className="grid gap-1">
      <NativeSelect
        aria-label={`Role of ${username}`}
        defaultValue={role}
        disabled={action.isPending}
        onChange={(e) => action.execute({ userId, role: e.target.value as Role })}
        className="w-36"
      >
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </NativeSelect>
      {action.result.serverError && (
        <span className="text-xs text-destructive" role="alert" data-testid="form-error">
          {action.result.serverError}
        </span>
      )}
    </div>
  );
}

export function DisableUserButton({ userId, username, disabled }: { userId: string; username: string; disabled: boolean }) {
  const action = useAction(setDisabledAction);
  const label = disabled ? 'Enable' : 'Disable';
  return (
    <div className="grid justify-items-end gap-1">
      <Button
        variant="outline"
        size="sm"
        disabled={action.isPending}
        aria-label={`${label} ${username}`}
        onClick={() => {
          if (
            disabled ||
            window.confirm(`Disable ${username}? Their sessions end now and their API tokens stop working until you enable them again.`)
          ) {
            action.execute({ userId, disabled: !disabled });
          }
        }}
      >
        {label}
      </Button>
      {action.result.serverError && (
        <span className="text-xs text-destructive" role="alert" data-testid="form-error">
          {action.result.serverError}
        </span>
      )}
    </div>
  );
}
