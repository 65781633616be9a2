// GET /api/v1/hosts/{id}, PUT /api/v1/hosts/{id} — read and replace a host's spec.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { ApiError, specIssuesError } from '@/lib/api/errors';
import { getDb } from '@/lib/db';
import { saveHost } from '@/lib/hosts/inventory';
import { audit } from '@/lib/auth/audit';

export const GET = route(endpoints.getHost, async ({ params }) => {
  const host = await getDb().host.findUnique({ where: { id: params.id }, include: { _count: { select: { vms: true } } } });
  if (!host) throw new ApiError(404, 'not_found', 'No such host');
  const { _count, sshKeyId: _key, ...rest } = host;
  return { host: { ...rest, vmCount: _count.vms } };
});

export const PUT = route(endpoints.updateHost, async ({ params, body, principal, ip }) => {
  if (!(await getDb().host.findUnique({ where: { id: params.id }, select: { id: true } }))) throw new ApiError(404, 'not_found', 'No such host');
  const result = await saveHost({ id: params.id, spec: body.spec }, { role: principal.role });
  if (!result.ok) throw specIssuesError(result.issues);
  await audit({ action: 'host.update', actor: principal.user, via: 'api', ip, targetType: 'host', targetId: params.id });
  return { id: result.id };
});
