// GET /api/v1/hosts/{id}/configuration — rendered files, deployed revision, plan.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { specIssuesError } from '@/lib/api/errors';
import { notFound } from '@/lib/errors';
import { hostConfiguration } from '@/lib/hosts/configuration';
import { canReadSecrets } from '@/lib/security/redact';

export const GET = route(endpoints.hostConfiguration, async ({ params, principal }) => {
  const config = await hostConfiguration(params.id, { revealSecrets: canReadSecrets(principal.role) });
  if (!config) throw notFound('host');
  if (!config.ok) throw specIssuesError(config.issues);
  return config;
});
