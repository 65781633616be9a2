// POST /api/v1/changes/{id}/approve — approver role; with four-eyes on, not the author's own (403).
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { changeAnswer } from '@/lib/api/change-answer';
import { apiActor, changeActor } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { approveChange } from '@/lib/changes/service';

export const POST = route(endpoints.approveChange, async ({ params, body, principal, ip }) => {
  await audited(operations.changeAction, { changeId: params.id, action: 'approve', note: body.note }, apiActor(principal, ip), () =>
    approveChange(params.id, changeActor(principal), body.note),
  );
  return changeAnswer(params.id, principal);
});
