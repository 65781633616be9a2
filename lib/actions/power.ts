'use server';
// Server action of the VM power buttons: start, shut down, reboot, force off,
// pause and resume one VM (operators and up). Every attempt is audited with
// its outcome; the VM's pages are revalidated so they show the new state.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { ActionError, authedAction } from '@/lib/actions/safe-action';
import { audit } from '@/lib/auth/audit';
import { PowerError, powerAction } from '@/lib/hosts/power';
import { POWER_ACTIONS } from '@/lib/hosts/power-rules';
import { getDb } from '@/lib/db';

const powerInput = z.object({
  vmId: z.uuid('Not a valid VM id'),
  action: z.enum(POWER_ACTIONS, 'Not a power action'),
});

export const powerVmAction = authedAction
  .metadata({ actionName: 'vm.power', role: 'operator' })
  .inputSchema(powerInput)
  .action(async ({ parsedInput: { vmId, action }, ctx }) => {
    const vm = await getDb().vm.findUnique({ where: { id: vmId }, select: { name: true, hostId: true } });
    if (!vm) throw new ActionError('No such VM');
    const entry = { action: 'vm.power', actor: ctx.user, ip: ctx.ip, targetType: 'vm', targetId: vmId } as const;
    try {
      const result = await powerAction(vmId, action);
      await audit({ ...entry, details: { power: action, name: vm.name, state: result.state } });
      return { state: result.state, message: result.message };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await audit({ ...entry, outcome: 'failed', details: { power: action, name: vm.name, error: message.slice(0, 500) } });
      if (error instanceof PowerError) throw new ActionError(message);
      throw error;
    } finally {
      revalidatePath(`/vms/${vmId}`);
      revalidatePath(`/hosts/${vm.hostId}`);
      revalidatePath('/vms');
    }
  });
