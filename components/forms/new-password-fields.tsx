'use client';
// A new password and its repetition: the first-run setup form and Settings →
// Account. The server checks both (the same zod schema); each field's message
// shows under it.
import { FormField } from '@/components/action-form';

export function NewPasswordFields({
  name,
  label,
  fieldError,
}: {
  /** The password field's name in the action's input (the repetition is always confirmPassword). */
  name: string;
  /** "Password", "New password": the repetition is labelled "Repeat <label>". */
  label: string;
  fieldError: (name: string) => string | undefined;
}) {
  return (
    <>
      <FormField
        name={name}
        label={label}
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters."
        error={fieldError(name)}
      />
      <FormField
        name="confirmPassword"
        label={`Repeat ${label.toLowerCase()}`}
        type="password"
        autoComplete="new-password"
        error={fieldError('confirmPassword')}
      />
    </>
  );
}
