// The answer of the change action endpoints (POST /api/v1/changes/{id}/…): the
// change as it is afterwards, as GET /api/v1/changes/{id} shows it to the caller.
import { changeActor, type Principal } from '@/lib/api/principal';
import { getChangeDetail } from '@/lib/deploy/queries';
import { canReadSecrets } from '@/lib/security/redact';

export async function changeAnswer(id: string, principal: Principal) {
  return { change: await getChangeDetail(id, { ...changeActor(principal), revealSecrets: canReadSecrets(principal.role) }) };
}
