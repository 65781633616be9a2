// The /api/v1 endpoints of changes, revisions and deployments (issue 8's
// shapes), declared like lib/api/endpoints.ts's and spread into it.
import { z } from 'zod';
import type { Endpoint } from '@/lib/api/endpoint';
import { pagingQuery, pagingResponse } from '@/lib/api/paging';
import { CHANGE_STATUSES } from '@/lib/changes/rules';

const idParams = z.object({ id: z.uuid('Not a valid id') });
const isoDate = z.iso.datetime();
const title = z.string().trim().min(1, 'Give the change a title').max(200, 'At most 200 characters');

const stepSchema = z.object({
  name: z.string(),
  status: z.enum(['pending', 'running', 'done', 'failed', 'skipped']),
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
});

export const deploymentSchema = z.object({
  id: z.uuid(),
  kind: z.string().describe('deploy, rollback, reapply or import'),
  status: z.enum(['queued', 'running', 'succeeded', 'failed', 'interrupted', 'rolled_back', 'cancelled']),
  revisionId: z.uuid(),
  revisionHash: z.string(),
  host: z.object({ id: z.uuid(), name: z.string() }),
  change: z.object({ id: z.uuid(), title: z.string() }).nullable(),
  steps: z.array(stepSchema),
  progress: z.number().int().describe('Percent of steps finished'),
  error: z.string().nullable(),
  generationBefore: z.number().int().nullable().describe('NixOS system generation before the switch'),
  generationAfter: z.number().int().nullable(),
  createdAt: isoDate,
  startedAt: isoDate.nullable(),
  finishedAt: isoDate.nullable(),
  cancelRequestedAt: isoDate.nullable(),
});

const changeAction = <B extends z.ZodType>(action: string, summary: string, role: 'operator' | 'approver', body: B) =>
  ({
    id: `changes.${action}`,
    method: 'POST',
    path: `/api/v1/changes/{id}/${action}`,
    tag: 'Changes',
    summary,
    auth: { role },
    params: idParams,
    body,
    response: z.object({ change: z.unknown() }),
  }) as const satisfies Endpoint;

export const changeEndpoints = {
  createChange: {
    id: 'changes.create',
    method: 'POST',
    path: '/api/v1/hosts/{id}/changes',
    tag: 'Changes',
    summary:
      "The host's desired state now, as its open change (a draft) with this title: rendered, stored as a revision and planned against the deployed one. 409 when there is nothing to deploy",
    auth: { role: 'operator' },
    params: idParams,
    body: z.object({ title, description: z.string().max(10_000).optional() }),
    response: z.object({ id: z.uuid() }),
    status: 201,
  },
  listChanges: {
    id: 'changes.list',
    method: 'GET',
    path: '/api/v1/changes',
    tag: 'Changes',
    summary: 'Changes, most recently updated first; filter by status and host',
    auth: { role: 'viewer' },
    query: z.object({ status: z.enum(CHANGE_STATUSES).optional(), hostId: z.uuid().optional(), ...pagingQuery }),
    response: z.object({ ...pagingResponse, changes: z.array(z.unknown()) }),
  },
  getChange: {
    id: 'changes.get',
    method: 'GET',
    path: '/api/v1/changes/{id}',
    tag: 'Changes',
    summary: 'A change: plan, file diffs against its base, people, comments, deployments, and the actions you may take now',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({ change: z.unknown() }),
  },
  proposeChange: changeAction('propose', 'Propose a draft for review', 'operator', z.object({})),
  approveChange: changeAction(
    'approve',
    'Approve a proposed change (approver role; with four-eyes on, not your own: 403)',
    'approver',
    z.object({ note: z.string().max(2000).optional() }),
  ),
  rejectChange: changeAction(
    'reject',
    'Reject a proposed or approved change, with a reason',
    'approver',
    z.object({ reason: z.string().trim().min(1, 'Say why the change is rejected').max(2000) }),
  ),
  replanChange: changeAction(
    'replan',
    'Plan the change again against what is deployed now (live: also against the live domains, read over SSH); a proposed or approved change needs approval again',
    'operator',
    z.object({ live: z.boolean().optional() }),
  ),
  commentChange: changeAction(
    'comment',
    'Comment on a change',
    'operator',
    z.object({ body: z.string().trim().min(1, 'Write a comment').max(10_000) }),
  ),
  deployChange: {
    id: 'changes.deploy',
    method: 'POST',
    path: '/api/v1/changes/{id}/deploy',
    tag: 'Changes',
    summary:
      'Deploy an approved change: queued as a job; follow it at /api/v1/deployments/{deploymentId}. 409 when the host is being deployed or the base moved',
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({ deploymentId: z.uuid() }),
    status: 202,
  },
  listRevisions: {
    id: 'hosts.revisions',
    method: 'GET',
    path: '/api/v1/hosts/{id}/revisions',
    tag: 'Changes',
    summary: "The host's deployed revisions, newest first (the first is what is deployed now)",
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({
      revisions: z.array(
        z.object({
          revisionId: z.uuid(),
          hash: z.string(),
          deploymentId: z.uuid(),
          kind: z.string(),
          deployedAt: isoDate.nullable(),
          changeId: z.uuid().nullable(),
          changeTitle: z.string().nullable(),
          current: z.boolean(),
          rollbackable: z.boolean(),
        }),
      ),
    }),
  },
  rollbackHost: {
    id: 'hosts.rollback',
    method: 'POST',
    path: '/api/v1/hosts/{id}/rollback',
    tag: 'Changes',
    summary: 'A change that deploys an earlier revision again; it is reviewed like any other. urgent (admins): your own approval suffices',
    auth: { role: 'operator' },
    params: idParams,
    body: z.object({ revisionId: z.uuid('Not a valid revision id'), title: title.optional(), urgent: z.boolean().optional() }),
    response: z.object({ id: z.uuid() }),
    status: 201,
  },
  hostDrift: {
    id: 'hosts.drift',
    method: 'GET',
    path: '/api/v1/hosts/{id}/drift',
    tag: 'Changes',
    summary: "Drift found by the last check: per VM, what differs between the deployed revision and the host's live domain, and the lines",
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({
      checkedAt: isoDate.nullable(),
      vms: z.record(z.string(), z.object({ drift: z.array(z.string()), lines: z.array(z.string()) })),
    }),
  },
  checkDrift: {
    id: 'hosts.drift.check',
    method: 'POST',
    path: '/api/v1/hosts/{id}/drift',
    tag: 'Changes',
    summary: 'Check drift now (one SSH round trip), and answer it',
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({
      checkedAt: isoDate.nullable(),
      vms: z.record(z.string(), z.object({ drift: z.array(z.string()), lines: z.array(z.string()) })),
    }),
  },
  adoptLive: {
    id: 'hosts.adopt-live',
    method: 'POST',
    path: '/api/v1/hosts/{id}/adopt-live',
    tag: 'Changes',
    summary: "The drifted VMs' live definitions become their desired state, as the host's open change (reviewed like any other)",
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({ id: z.uuid().nullable() }),
    status: 201,
  },
  getDeployment: {
    id: 'deployments.get',
    method: 'GET',
    path: '/api/v1/deployments/{id}',
    tag: 'Deployments',
    summary: 'A deployment: status, steps, progress, error, generations',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({ deployment: deploymentSchema }),
  },
  deploymentLog: {
    id: 'deployments.log',
    method: 'GET',
    path: '/api/v1/deployments/{id}/log',
    tag: 'Deployments',
    summary:
      'The log as text/plain; with `Accept: text/event-stream`, server-sent events while it runs: `log` (id = chunk id; data {step, text}), `state` (status, progress, steps), `end`. Resume with Last-Event-ID or ?after=<chunk id>',
    auth: { role: 'viewer' },
    params: idParams,
    query: z.object({
      after: z
        .string()
        .regex(/^\d{1,19}$/, 'after is a chunk id')
        .optional(),
    }),
    response: z.string(),
  },
  cancelDeployment: {
    id: 'deployments.cancel',
    method: 'POST',
    path: '/api/v1/deployments/{id}/cancel',
    tag: 'Deployments',
    summary: 'Cancel a deployment: a queued one at once, a running one at its next step boundary',
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({ status: z.enum(['cancelled', 'cancelling']) }),
  },
} as const satisfies Record<string, Endpoint>;
