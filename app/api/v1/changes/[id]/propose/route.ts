// POST /api/v1/changes/{id}/propose — a draft goes to review.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeAnswer } from '@/lib/api/change-answer';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { proposeChange } from '@/lib/changes/service';

export const POST = route(endpoints.proposeChange, async ({ params, principal, ip }) => {
  await audited(operations.changeAction, { changeId: params.id, action: 'propose' }, apiActor(principal, ip), () =>
    proposeChange(params.id, changeActor(principal)),
  );
  return changeAnswer(params.id, principal);
});
