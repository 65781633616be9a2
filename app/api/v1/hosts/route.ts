// GET /api/v1/hosts, POST /api/v1/hosts — list and add hosts.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { apiActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { listHosts } from '@/lib/hosts/queries';
import { saveHost } from '@/lib/hosts/inventory';

export const GET = route(endpoints.listHosts, async ({ query }) => {
  const result = await listHosts(query);
  return { ...result, hosts: result.hosts.map(({ _count, lastSeenAt: _seen, ...h }) => ({ ...h, vmCount: _count.vms })) };
});

export const POST = route(endpoints.createHost, async ({ body, principal, ip }) => {
  const input = { spec: body.spec };
  const result = await audited(operations.hostSave, input, apiActor(principal, ip), () => saveHost(input, { role: principal.role }));
  if (!result.ok) throw specIssuesError(result.issues);
  return { id: result.id };
});
