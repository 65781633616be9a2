// POST /api/v1/changes/{id}/replan — plan again against what is deployed (and, with live, what runs).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeAnswer } from '@/lib/api/change-answer';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { replanChange } from '@/lib/changes/service';

export const POST = route(endpoints.replanChange, async ({ params, body, principal, ip }) => {
  await audited(operations.changeAction, { changeId: params.id, action: 'replan' }, apiActor(principal, ip), () =>
    replanChange(params.id, changeActor(principal), { live: body.live }),
  );
  return changeAnswer(params.id, principal);
});
