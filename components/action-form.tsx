'use client';
// Forms over server actions: submit the form's fields, show each field's message
// under it (from the same zod schema the server checks), and the action's error.
import type * as React from 'react';
import { useAction } from 'next-safe-action/hooks';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Alert } from '@/components/ui/alert';

type FlatErrors = { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> };
// biome-ignore lint/suspicious/noExplicitAny: any next-safe-action action, whatever its input and result types
type AnyAction = (input: any) => Promise<any>;

export function useActionForm(action: AnyAction, options?: { onSuccess?: (data: unknown) => void }) {
  const hook = useAction(action as Parameters<typeof useAction>[0], { onSuccess: ({ data }) => options?.onSuccess?.(data) });
  const errors = (hook.result.validationErrors ?? {}) as FlatErrors;
  const data = hook.result.data as { error?: string; message?: string } | undefined;
  const onSubmit = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(event.currentTarget).entries());
    for (const key of Object.keys(values)) if (values[key] === '') delete values[key];
    hook.execute(values as never);
  };
  return {
    ...hook,
    onSubmit,
    fieldError: (name: string) => errors.fieldErrors?.[name]?.[0],
    formError: (hook.result.serverError as string | undefined) ?? errors.formErrors?.[0] ?? data?.error,
    message: data?.message,
    data: hook.result.data,
  };
}

export function FormField({
  name,
  label,
  error,
  hint,
  ...props
}: React.ComponentProps<'input'> & { name: string; label: string; error?: string; hint?: string }) {
  const id = `field-${name}`;
  return (
    <div className="grid gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      <Input id={id} name={name} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...props} />
      {hint && !error && <p className="text-xs text-muted-foreground">{hint}</p>}
      {error && (
        <p id={`${id}-error`} className="text-xs text-destructive" data-field-error={name}>
          {error}
        </p>
      )}
    </div>
  );
}

export function FormMessages({ error, message }: { error?: string; message?: string }) {
  if (error)
    return (
      <Alert variant="destructive" data-testid="form-error">
        {error}
      </Alert>
    );
  if (message)
    return (
      <Alert variant="success" data-testid="form-message">
        {message}
      </Alert>
    );
  return null;
}
