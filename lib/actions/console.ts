'use server';
// Server action of the console viewers on the VM page: a one-time ticket for
// the VM's VNC, SPICE or serial console (operators and up by default; the
// least role is an admin setting, checked in lib/console/tickets). Audited as
// the API audits it (lib/operations).
import { z } from 'zod';
import { authedAction, webActor } from '@/lib/actions/safe-action';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { issueConsoleTicket } from '@/lib/console/tickets';

const ticketInput = z.object({
  vmId: z.uuid('Not a valid VM id'),
  type: z.enum(['vnc', 'spice', 'serial'], 'Not a console type'),
});

export const consoleTicketAction = authedAction
  .metadata({ actionName: 'console.ticket', role: 'operator' })
  .inputSchema(ticketInput)
  .action(async ({ parsedInput: { vmId, type }, ctx }) => {
    const issued = await audited(operations.consoleTicket, { vmId, kind: type }, webActor(ctx), () =>
      issueConsoleTicket(ctx.user, vmId, type),
    );
    return { url: issued.url, expiresAt: issued.expiresAt.toISOString() };
  });
