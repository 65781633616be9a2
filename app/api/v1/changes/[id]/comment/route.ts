// POST /api/v1/changes/{id}/comment — a comment on the change.
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeAnswer } from '@/lib/api/change-answer';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { commentOnChange } from '@/lib/changes/service';

export const POST = route(endpoints.commentChange, async ({ params, body, principal, ip }) => {
  await audited(operations.changeAction, { changeId: params.id, action: 'comment' }, apiActor(principal, ip), () =>
    commentOnChange(params.id, changeActor(principal), body.body),
  );
  return changeAnswer(params.id, principal);
});
