// GET /api/v1/hosts, POST /api/v1/hosts — list and add hosts.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { listHosts } from '@/lib/hosts/queries';
import { saveHost } from '@/lib/hosts/inventory';
import { audit } from '@/lib/auth/audit';

export const GET = route(endpoints.listHosts, async ({ query }) => {
  const result = await listHosts(query);
  return { ...result, hosts: result.hosts.map(({ _count, lastSeenAt: _seen, ...h }) => ({ ...h, vmCount: _count.vms })) };
});

export const POST = route(endpoints.createHost, async ({ body, principal, ip }) => {
  const result = await saveHost({ spec: body.spec }, { role: principal.role });
  if (!result.ok) throw specIssuesError(result.issues);
  await audit({ action: 'host.create', actor: principal.user, via: 'api', ip, targetType: 'host', targetId: result.id, details: { name: String(body.spec.name ?? '') } });
  return { id: result.id };
});
