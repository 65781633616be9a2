'use client';
// Upload an existing SSH private key (admin).
import { uploadSshKeyAction } from '@/lib/actions/ssh-keys';
import { FormField, FormMessages, useActionForm } from '@/components/action-form';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { Textarea } from '@/components/ui/textarea';

export function UploadKeyForm() {
  const form = useActionForm(uploadSshKeyAction);
  return (
    <form onSubmit={form.onSubmit} className="grid max-w-xl gap-4" noValidate>
      <FormMessages error={form.formError} message={form.message} />
      <FormField name="name" label="Name" placeholder="ops-key" error={form.fieldError('name')} />
      <div className="grid gap-1.5">
        <Label htmlFor="field-privateKey">Private key</Label>
        <Textarea
          id="field-privateKey"
          name="privateKey"
          placeholder="-----BEGIN OPENSSH PRIVATE KEY-----"
          aria-invalid={form.fieldError('privateKey') ? true : undefined}
        />
        {form.fieldError('privateKey') && (
          <p className="text-xs text-destructive" data-field-error="privateKey">
            {form.fieldError('privateKey')}
          </p>
        )}
      </div>
      <FormField
        name="passphrase"
        label="Passphrase (if the key has one)"
        type="password"
        autoComplete="off"
        error={form.fieldError('passphrase')}
      />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="makeDefault" className="size-4" /> Use it for hosts that have no key of their own
      </label>
      <Button type="submit" disabled={form.isPending} className="justify-self-start">
        Upload key
      </Button>
    </form>
  );
}
