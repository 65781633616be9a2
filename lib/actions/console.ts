'use server';
// Server action of the console viewers on the VM page: a one-time ticket for
// the VM's VNC, SPICE or serial console (operators and up by default; the
// least role is an admin setting, checked in lib/console/tickets). Audited.
import { z } from 'zod';
import { ActionError, authedAction } from '@/lib/actions/safe-action';
import { audit } from '@/lib/auth/audit';
import { ConsoleTicketError, issueConsoleTicket } from '@/lib/console/tickets';

const ticketInput = z.object({
  vmId: z.uuid('Not a valid VM id'),
  type: z.enum(['vnc', 'spice', 'serial'], 'Not a console type'),
});

export const consoleTicketAction = authedAction
  .metadata({ actionName: 'console.ticket', role: 'operator' })
  .inputSchema(ticketInput)
  .action(async ({ parsedInput: { vmId, type }, ctx }) => {
    const entry = { action: 'console.ticket', actor: ctx.user, ip: ctx.ip, targetType: 'vm', targetId: vmId } as const;
    try {
      const issued = await issueConsoleTicket(ctx.user, vmId, type);
      await audit({ ...entry, details: { kind: type } });
      return { url: issued.url, expiresAt: issued.expiresAt.toISOString() };
    } catch (error) {
      if (!(error instanceof ConsoleTicketError)) throw error;
      await audit({ ...entry, outcome: error.status === 403 ? 'denied' : 'failed', details: { kind: type, reason: error.message } });
      throw new ActionError(error.message);
    }
  });
