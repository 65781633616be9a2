// GET /api/v1/hosts/{id}, PUT /api/v1/hosts/{id} — read and replace a host's spec;
// DELETE /api/v1/hosts/{id} — take it out of the inventory (its VMs keep running on it).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { apiActor, changeActor } from '@/lib/api/principal';
import { saveHostDesired } from '@/lib/changes/desired-state';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { removeHost } from '@/lib/hosts/inventory';
import { getHostOrThrow, getHostWithVmCount } from '@/lib/hosts/queries';

export const GET = route(endpoints.getHost, async ({ params }) => {
  const { _count, sshKeyId: _key, ...rest } = await getHostWithVmCount(params.id);
  return { host: { ...rest, vmCount: _count.vms } };
});

export const PUT = route(endpoints.updateHost, async ({ params, body, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  const input = { id: host.id, spec: body.spec };
  const result = await audited(operations.hostSave, input, apiActor(principal, ip), () => saveHostDesired(input, changeActor(principal)));
  if (!result.ok) throw specIssuesError(result.issues);
  return { id: result.id };
});

export const DELETE = route(endpoints.removeHost, async ({ params, principal, ip }) => {
  const host = await getHostOrThrow(params.id);
  return audited(operations.removeHost, { host }, apiActor(principal, ip), () => removeHost(host.id));
});
