// GET /api/v1/vms/{id}, PUT /api/v1/vms/{id} — read and replace a VM's spec.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { apiActor, changeActor } from '@/lib/api/principal';
import { saveVmDesired } from '@/lib/changes/desired-state';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { getVmOrThrow } from '@/lib/hosts/queries';
import { canReadSecrets } from '@/lib/security/redact';

export const GET = route(endpoints.getVm, async ({ params, principal }) => {
  return { vm: await getVmOrThrow(params.id, { revealSecrets: canReadSecrets(principal.role) }) }; // user-data only for operators and above
});

export const PUT = route(endpoints.updateVm, async ({ params, body, principal, ip }) => {
  const vm = await getVmOrThrow(params.id);
  const input = { hostId: vm.hostId, id: vm.id, spec: body.spec };
  const result = await audited(operations.vmSave, input, apiActor(principal, ip), () => saveVmDesired(input, changeActor(principal)));
  if (!result.ok) throw specIssuesError(result.issues);
  return { id: result.id };
});
