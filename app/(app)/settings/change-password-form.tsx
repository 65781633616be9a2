'use client';
// Change one's own password.
import { changePasswordAction } from '@/lib/actions/auth';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { NewPasswordFields } from '@/components/forms/new-password-fields';
import { Button } from '@/components/ui/button';

export function ChangePasswordForm() {
  const form = useActionForm(changePasswordAction);
  return (
    <form onSubmit={form.onSubmit} className="grid max-w-sm gap-4" noValidate>
      <FormMessages error={form.formError} message={form.message} />
      <FormField
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={form.fieldError('currentPassword')}
      />
      <NewPasswordFields name="newPassword" label="New password" fieldError={form.fieldError} />
      <Button type="submit" disabled={form.isPending} className="justify-self-start">
        Change password
      </Button>
    </form>
  );
}
