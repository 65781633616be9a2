'use client';
// The login form.
import { loginAction } from '@/lib/actions/auth';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { Button } from '@/components/ui/button';

export function LoginForm({ next }: { next?: string }) {
  const form = useActionForm(loginAction);
  return (
    <form onSubmit={form.onSubmit} className="grid gap-4" noValidate>
      <FormMessages error={form.formError} />
      <FormField name="username" label="Username" autoComplete="username" autoFocus error={form.fieldError('username')} />
      <FormField name="password" label="Password" type="password" autoComplete="current-password" error={form.fieldError('password')} />
      {next && <input type="hidden" name="next" value={next} />}
      <Button type="submit" disabled={form.isPending}>
        {form.isPending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
