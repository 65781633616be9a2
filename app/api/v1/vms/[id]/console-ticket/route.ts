// POST /api/v1/vms/{id}/console-ticket — a one-time ticket for the VM's VNC, SPICE or serial console.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError } from '@/lib/api/errors';
import { audit } from '@/lib/auth/audit';
import { ConsoleTicketError, issueConsoleTicket } from '@/lib/console/tickets';

export const POST = route(endpoints.consoleTicket, async ({ params, body, principal, ip }) => {
  const entry = { action: 'console.ticket', actor: principal.user, via: 'api', ip, targetType: 'vm', targetId: params.id } as const;
  try {
    const issued = await issueConsoleTicket({ id: principal.user.id, role: principal.role }, params.id, body.type);
    await audit({ ...entry, details: { kind: body.type, via: principal.via } });
    return { ticket: issued.ticket, url: issued.url, expiresAt: issued.expiresAt.toISOString(), sockets: issued.sockets };
  } catch (error) {
    if (!(error instanceof ConsoleTicketError)) throw error;
    await audit({ ...entry, outcome: error.status === 403 ? 'denied' : 'failed', details: { kind: body.type, reason: error.message } });
    throw new ApiError(error.status, error.status === 403 ? 'forbidden' : error.status === 404 ? 'not_found' : 'conflict', error.message);
  }
});
