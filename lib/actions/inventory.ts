'use server';
// Server actions that edit the desired state: hosts and VMs (operator or above;
// a host's libvirt URI is chosen by admins only — saveHost checks the role).
// The spec schemas (lib/spec) validate; issues come back with their field paths.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction } from '@/lib/actions/safe-action';
import { saveHost, saveVm } from '@/lib/hosts/inventory';
import { audit } from '@/lib/auth/audit';

const saveHostInput = z.object({ id: z.uuid().optional(), spec: z.unknown() });
const saveVmInput = z.object({ hostId: z.uuid(), id: z.uuid().optional(), spec: z.unknown() });

export const saveHostAction = authedAction
  .metadata({ actionName: 'host.save', role: 'operator' })
  .inputSchema(saveHostInput)
  .action(async ({ parsedInput, ctx }) => {
    const result = await saveHost(parsedInput, { role: ctx.user.role });
    if (result.ok) {
      const name = (parsedInput.spec as { name?: string }).name;
      await audit({ action: parsedInput.id ? 'host.update' : 'host.create', actor: ctx.user, ip: ctx.ip, targetType: 'host', targetId: result.id, details: { name: name ?? null } });
      revalidatePath('/hosts');
    }
    return result;
  });

export const saveVmAction = authedAction
  .metadata({ actionName: 'vm.save', role: 'operator' })
  .inputSchema(saveVmInput)
  .action(async ({ parsedInput, ctx }) => {
    const result = await saveVm(parsedInput);
    if (result.ok) {
      const name = (parsedInput.spec as { name?: string }).name;
      await audit({ action: parsedInput.id ? 'vm.update' : 'vm.create', actor: ctx.user, ip: ctx.ip, targetType: 'vm', targetId: result.id, details: { name: name ?? null, hostId: parsedInput.hostId } });
      revalidatePath(`/hosts/${parsedInput.hostId}`);
    }
    return result;
  });
