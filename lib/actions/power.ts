'use server';
// Server action of the VM power buttons: start, shut down, reboot, force off,
// pause and resume one VM (operators and up). Every attempt is audited with
// its outcome, with the same keys as the API and the CLI (lib/operations); the
// VM's pages are revalidated so they show the new state.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { powerAction } from '@/lib/hosts/power';
import { POWER_ACTIONS } from '@/lib/hosts/power-rules';
import { getVmOrThrow } from '@/lib/hosts/queries';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

const powerInput = z.object({
  vmId: z.uuid('Not a valid VM id'),
  action: z.enum(POWER_ACTIONS, 'Not a power action'),
});

export const powerVmAction = authedAction
  .metadata({ actionName: 'vm.power', role: 'operator' })
  .inputSchema(powerInput)
  .action(async ({ parsedInput: { vmId, action }, ctx }) => {
    const vm = await getVmOrThrow(vmId);
    try {
      const result = await audited(operations.powerVm, { vm, power: action }, webActor(ctx), () => powerAction(vmId, action));
      return { state: result.state, message: result.message };
    } finally {
      revalidatePath(`/vms/${vmId}`);
      revalidatePath(`/hosts/${vm.hostId}`);
      revalidatePath('/vms');
    }
  });
