// GET /api/v1/deployments/{id}/log — the log as text, or (Accept: text/event-stream) a live stream.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { deploymentLogResponse } from '@/lib/deploy/log-stream';
import { getDeployment } from '@/lib/deploy/queries';

export const GET = route(endpoints.deploymentLog, async ({ req, params, query }) => {
  const deployment = await getDeployment(params.id);
  return deploymentLogResponse(deployment.id, {
    stream: (req.headers.get('accept') ?? '').includes('text/event-stream'),
    after: req.headers.get('last-event-id') ?? query.after ?? null,
    signal: req.signal,
  });
});
