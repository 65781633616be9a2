'use client';
// The admin's form of Settings → Policies.
import { useState } from 'react';
import { useAction } from 'next-safe-action/hooks';
import { updatePoliciesAction } from '@/lib/actions/settings';
import { FormMessages } from '@/components/action-form';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/select';
import { ROLES, type Role } from '@/lib/auth/roles';
import { consoleRoleText, fourEyesText } from './policy-text';

/** Viewers never open consoles: a console is control of the VM. */
const CONSOLE_ROLES = ROLES.filter((r) => r !== 'viewer');

type Policies = { consoleMinRole: Role; fourEyes: boolean };

export function PoliciesForm({ policies }: { policies: Policies }) {
  const [consoleMinRole, setConsoleMinRole] = useState<Role>(policies.consoleMinRole);
  const [fourEyes, setFourEyes] = useState(policies.fourEyes);
  const action = useAction(updatePoliciesAction);
  const error = action.result.serverError ?? (action.result.validationErrors as { formErrors?: string[] } | undefined)?.formErrors?.[0];
  return (
    <form
      className="grid gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        action.execute({ consoleMinRole: consoleMinRole as (typeof CONSOLE_ROLES)[number], fourEyes });
      }}
    >
      <FormMessages error={error} message={action.result.data?.message} />
      <Card>
        <CardHeader>
          <CardTitle>Consoles</CardTitle>
          <CardDescription>A VNC, SPICE or serial console is control of the VM. Viewers never open one.</CardDescription>
        </CardHeader>
        <CardContent className="grid max-w-md gap-1.5">
          <Label htmlFor="policy-console-role">Least role that may open consoles</Label>
          <NativeSelect id="policy-console-role" value={consoleMinRole} onChange={(e) => setConsoleMinRole(e.target.value as Role)}>
            {CONSOLE_ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </NativeSelect>
          <p className="text-xs text-muted-foreground">{consoleRoleText(consoleMinRole)} Consoles already open stay open.</p>
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Changes</CardTitle>
          <CardDescription>Whether a change needs a second person before it is deployed.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-1.5">
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={fourEyes} onChange={(e) => setFourEyes(e.target.checked)} className="size-4" />
            Four-eyes approval: the author of a change cannot approve it
          </label>
          <p className="text-xs text-muted-foreground">{fourEyesText(fourEyes)}</p>
        </CardContent>
      </Card>
      <Button type="submit" disabled={action.isPending} className="justify-self-start">
        Save policies
      </Button>
    </form>
  );
}
