// POST /api/v1/vms/{id}/power — a power action on a VM.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError } from '@/lib/api/errors';
import { asApiError } from '@/lib/api/host-errors';
import { powerAction } from '@/lib/hosts/power';
import { audit } from '@/lib/auth/audit';
import { getDb } from '@/lib/db';

export const POST = route(endpoints.powerVm, async ({ params, body, principal, ip }) => {
  if (!(await getDb().vm.findUnique({ where: { id: params.id }, select: { id: true } }))) throw new ApiError(404, 'not_found', 'No such VM');
  try {
    const result = await asApiError(() => powerAction(params.id, body.action));
    await audit({ action: 'vm.power', actor: principal.user, via: 'api', ip, targetType: 'vm', targetId: params.id, details: { action: body.action, state: result.state } });
    return result;
  } catch (error) {
    await audit({ action: 'vm.power', actor: principal.user, via: 'api', ip, targetType: 'vm', targetId: params.id, outcome: 'failed', details: { action: body.action, reason: error instanceof Error ? error.message : 'error' } });
    throw error;
  }
});
