// GET /api/v1/hosts, POST /api/v1/hosts — list and add hosts.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { apiActor, changeActor } from '@/lib/api/principal';
import { saveHostDesired } from '@/lib/changes/desired-state';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { listHosts } from '@/lib/hosts/queries';

export const GET = route(endpoints.listHosts, async ({ query }) => {
  const result = await listHosts(query);
  return { ...result, hosts: result.hosts.map(({ _count, lastSeenAt: _seen, ...h }) => ({ ...h, vmCount: _count.vms })) };
});

export const POST = route(endpoints.createHost, async ({ body, principal, ip }) => {
  const input = { spec: body.spec };
  const result = await audited(operations.hostSave, input, apiActor(principal, ip), () => saveHostDesired(input, changeActor(principal)));
  if (!result.ok) throw specIssuesError(result.issues);
  return { id: result.id };
});
