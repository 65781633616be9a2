// POST /api/v1/vms/{id}/console-ticket — a one-time ticket for the VM's VNC, SPICE or serial console.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { issueConsoleTicket } from '@/lib/console/tickets';

export const POST = route(endpoints.consoleTicket, async ({ params, body, principal, ip }) => {
  const by = { id: principal.user.id, role: principal.role };
  const issued = await audited(operations.consoleTicket, { vmId: params.id, kind: body.type }, apiActor(principal, ip), () =>
    issueConsoleTicket(by, params.id, body.type),
  );
  return { ticket: issued.ticket, url: issued.url, expiresAt: issued.expiresAt.toISOString(), sockets: issued.sockets };
});
