// GET /api/v1/changes/{id} — a change with its plan, diffs and the caller's allowed actions.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeActor } from '@/lib/api/principal';
import { getChangeDetail } from '@/lib/deploy/queries';
import { canReadSecrets } from '@/lib/security/redact';

export const GET = route(endpoints.getChange, async ({ params, principal }) => ({
  change: await getChangeDetail(params.id, { ...changeActor(principal), revealSecrets: canReadSecrets(principal.role) }),
}));
