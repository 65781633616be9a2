// POST /api/v1/vms/{id}/power — a power action on a VM.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { powerAction } from '@/lib/hosts/power';
import { getVmOrThrow } from '@/lib/hosts/queries';

export const POST = route(endpoints.powerVm, async ({ params, body, principal, ip }) => {
  const vm = await getVmOrThrow(params.id);
  return audited(operations.powerVm, { vm, power: body.action }, apiActor(principal, ip), () => powerAction(vm.id, body.action));
});
