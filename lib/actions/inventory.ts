'use server';
// Server actions that edit the desired state: hosts and VMs (operator or above;
// a host's libvirt URI is chosen by admins only — saveHost checks the role).
// The spec schemas (lib/spec) validate; issues come back with their field paths.
// Saves are audited as the API audits them (lib/operations), and bring the
// host's open change up to date (lib/changes/desired-state): nothing reaches the host unreviewed. Removing a host
// from the inventory is for admins; nothing is sent to the host.
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { removeHost } from '@/lib/hosts/inventory';
import { saveHostDesired, saveVmDesired } from '@/lib/changes/desired-state';
import { getHostOrThrow } from '@/lib/hosts/queries';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';

const saveHostInput = z.object({ id: z.uuid().optional(), spec: z.unknown() });
const saveVmInput = z.object({ hostId: z.uuid(), id: z.uuid().optional(), spec: z.unknown() });

export const saveHostAction = authedAction
  .metadata({ actionName: 'host.save', role: 'operator' })
  .inputSchema(saveHostInput)
  .action(async ({ parsedInput, ctx }) => {
    const result = await audited(operations.hostSave, parsedInput, webActor(ctx), () => saveHostDesired(parsedInput, ctx.user));
    if (result.ok) revalidatePath('/hosts');
    if (result.ok) revalidatePath('/changes');
    return result;
  });

export const saveVmAction = authedAction
  .metadata({ actionName: 'vm.save', role: 'operator' })
  .inputSchema(saveVmInput)
  .action(async ({ parsedInput, ctx }) => {
    const result = await audited(operations.vmSave, parsedInput, webActor(ctx), () => saveVmDesired(parsedInput, ctx.user));
    if (result.ok) revalidatePath(`/hosts/${parsedInput.hostId}`);
    if (result.ok) revalidatePath('/changes');
    return result;
  });

export const removeHostAction = authedAction
  .metadata({ actionName: 'host.remove', role: 'admin' })
  .inputSchema(z.object({ hostId: z.uuid() }))
  .action(async ({ parsedInput, ctx }) => {
    const host = await getHostOrThrow(parsedInput.hostId);
    const removed = await audited(operations.removeHost, { host }, webActor(ctx), () => removeHost(host.id));
    revalidatePath('/hosts');
    return removed;
  });
