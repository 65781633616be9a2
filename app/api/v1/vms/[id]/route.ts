// GET /api/v1/vms/{id}, PUT /api/v1/vms/{id} — read and replace a VM's spec.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError, specIssuesError } from '@/lib/api/errors';
import { getDb } from '@/lib/db';
import { saveVm } from '@/lib/hosts/inventory';
import { audit } from '@/lib/auth/audit';
import { redactVm } from '@/lib/hosts/queries';
import { canReadSecrets } from '@/lib/security/redact';

export const GET = route(endpoints.getVm, async ({ params, principal }) => {
  const vm = await getDb().vm.findUnique({ where: { id: params.id } });
  if (!vm) throw new ApiError(404, 'not_found', 'No such VM');
  return { vm: redactVm(vm, canReadSecrets(principal.role)) }; // user-data only for operators and above
});

export const PUT = route(endpoints.updateVm, async ({ params, body, principal, ip }) => {
  const vm = await getDb().vm.findUnique({ where: { id: params.id }, select: { hostId: true } });
  if (!vm) throw new ApiError(404, 'not_found', 'No such VM');
  const result = await saveVm({ hostId: vm.hostId, id: params.id, spec: body.spec });
  if (!result.ok) throw specIssuesError(result.issues);
  await audit({ action: 'vm.update', actor: principal.user, via: 'api', ip, targetType: 'vm', targetId: params.id });
  return { id: result.id };
});
