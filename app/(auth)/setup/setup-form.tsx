'use client';
// First-run form: the setup token from the server log, and the first admin account.
import { setupAction } from '@/lib/actions/auth';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { Button } from '@/components/ui/button';

export function SetupForm({ token }: { token?: string }) {
  const form = useActionForm(setupAction);
  return (
    <form onSubmit={form.onSubmit} className="grid gap-4" noValidate>
      <FormMessages error={form.formError} />
      <FormField
        name="token"
        label="Setup token"
        defaultValue={token}
        hint="Printed in the server's log at start-up."
        error={form.fieldError('token')}
      />
      <FormField name="username" label="Admin username" defaultValue="admin" autoComplete="username" error={form.fieldError('username')} />
      <NewPasswordFields name="password" label="Password" fieldError={form.fieldError} />
      <Button type="submit" disabled={form.isPending}>
        Create admin and sign in
      </Button>
    </form>
  );
}
