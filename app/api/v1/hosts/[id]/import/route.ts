// POST /api/v1/hosts/{id}/import — adopt the host's existing domains.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { asApiError } from '@/lib/api/host-errors';
import { importHostDomains } from '@/lib/hosts/import';
import { audit } from '@/lib/auth/audit';

export const POST = route(endpoints.importHost, async ({ params, principal, ip }) => {
  const report = await asApiError(() => importHostDomains(params.id));
  await audit({ action: 'host.import', actor: principal.user, via: 'api', ip, targetType: 'host', targetId: params.id, details: { imported: report.imported.map((v) => v.name) } });
  return report;
});
