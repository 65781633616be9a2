// POST /api/v1/changes/{id}/reject — with a reason.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeAnswer } from '@/lib/api/change-answer';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { rejectChange } from '@/lib/changes/service';

export const POST = route(endpoints.rejectChange, async ({ params, body, principal, ip }) => {
  await audited(operations.changeAction, { changeId: params.id, action: 'reject', note: body.reason }, apiActor(principal, ip), () =>
    rejectChange(params.id, changeActor(principal), body.reason),
  );
  return changeAnswer(params.id, principal);
});
