'use server';
// Server action of Settings → Policies (admin): the least role that may open
// consoles and four-eyes approval of changes. Audited as PATCH /api/v1/settings
// audits it (lib/settings' changePolicies).
import { revalidatePath } from 'next/cache';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { updatePoliciesInputSchema } from '@/lib/api/endpoints';
import { changePolicies } from '@/lib/settings';

export const updatePoliciesAction = authedAction
  .metadata({ actionName: 'settings.update', role: 'admin' })
  .inputSchema(updatePoliciesInputSchema)
  .action(async ({ parsedInput, ctx }) => {
    const policies = await changePolicies(parsedInput, webActor(ctx));
    revalidatePath('/settings/policies');
    return {
      policies,
      message: `Saved: consoles need the ${policies.consoleMinRole} role; four-eyes approval is ${policies.fourEyes ? 'on' : 'off'}.`,
    };
  });
