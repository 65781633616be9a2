// GET /api/v1/hosts/{id}/vms, POST /api/v1/hosts/{id}/vms — a host's VMs.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError, specIssuesError } from '@/lib/api/errors';
import { getDb } from '@/lib/db';
import { listVms } from '@/lib/hosts/queries';
import { saveVm } from '@/lib/hosts/inventory';
import { audit } from '@/lib/auth/audit';

async function hostExists(id: string) {
  if (!(await getDb().host.findUnique({ where: { id }, select: { id: true } }))) throw new ApiError(404, 'not_found', 'No such host');
}

export const GET = route(endpoints.listHostVms, async ({ params, query }) => {
  await hostExists(params.id);
  return listVms({ ...query, hostId: params.id });
});

export const POST = route(endpoints.createVm, async ({ params, body, principal, ip }) => {
  await hostExists(params.id);
  const result = await saveVm({ hostId: params.id, spec: body.spec });
  if (!result.ok) throw specIssuesError(result.issues);
  await audit({ action: 'vm.create', actor: principal.user, via: 'api', ip, targetType: 'vm', targetId: result.id, details: { hostId: params.id, name: String(body.spec.name ?? '') } });
  return { id: result.id };
});
