// POST /api/v1/changes/{id}/propose|approve|reject|replan|comment|deploy — one
// handler per lifecycle action (lib/changes/service, lib/deploy/request); each
// answers the change as it is afterwards, deploy answers 202 { deploymentId }.
import type { NextRequest } from 'next/server';
import { route } from '@/lib/api/endpoint';
import { endpoints } from '@/lib/api/endpoints';
import { apiActor, changeActor, type Principal } from '@/lib/api/principal';
import { audited } from '@/lib/audited';
import { operations } from '@/lib/operations';
import { approveChange, commentOnChange, proposeChange, rejectChange, replanChange } from '@/lib/changes/service';
import { deployChange } from '@/lib/deploy/request';
import { getChangeDetail } from '@/lib/deploy/queries';
import { canReadSecrets } from '@/lib/security/redact';
import { errorResponse } from '@/lib/api/errors';

async function detail(id: string, principal: Principal) {
  return { change: await getChangeDetail(id, { ...changeActor(principal), revealSecrets: canReadSecrets(principal.role) }) };
}

const handlers = {
  propose: route(endpoints.proposeChange, async ({ params, principal, ip }) => {
    await audited(operations.changeAction, { changeId: params.id, action: 'propose' }, apiActor(principal, ip), () =>
      proposeChange(params.id, changeActor(principal)),
    );
    return detail(params.id, principal);
  }),
  approve: route(endpoints.approveChange, async ({ params, body, principal, ip }) => {
    await audited(operations.changeAction, { changeId: params.id, action: 'approve', note: body.note }, apiActor(principal, ip), () =>
      approveChange(params.id, changeActor(principal), body.note),
    );
    return detail(params.id, principal);
  }),
  reject: route(endpoints.rejectChange, async ({ params, body, principal, ip }) => {
    await audited(operations.changeAction, { changeId: params.id, action: 'reject', note: body.reason }, apiActor(principal, ip), () =>
      rejectChange(params.id, changeActor(principal), body.reason),
    );
    return detail(params.id, principal);
  }),
  replan: route(endpoints.replanChange, async ({ params, body, principal, ip }) => {
    await audited(operations.changeAction, { changeId: params.id, action: 'replan' }, apiActor(principal, ip), () =>
      replanChange(params.id, changeActor(principal), { live: body.live }),
    );
    return detail(params.id, principal);
  }),
  comment: route(endpoints.commentChange, async ({ params, body, principal, ip }) => {
    await audited(operations.changeAction, { changeId: params.id, action: 'comment' }, apiActor(principal, ip), () =>
      commentOnChange(params.id, changeActor(principal), body.body),
    );
    return detail(params.id, principal);
  }),
  deploy: route(endpoints.deployChange, async ({ params, principal, ip }) =>
    audited(operations.deployChange, { changeId: params.id }, apiActor(principal, ip), () =>
      deployChange(params.id, changeActor(principal)),
    ),
  ),
};

type Context = { params: Promise<Record<string, string | string[]>> };

export async function POST(req: NextRequest, context: Context): Promise<Response> {
  const { action } = await context.params;
  const handler = typeof action === 'string' && Object.hasOwn(handlers, action) ? handlers[action as keyof typeof handlers] : null;
  if (!handler)
    return errorResponse(404, 'not_found', `No change action ${String(action)}: use propose, approve, reject, replan, comment or deploy`);
  return handler(req, context);
}
