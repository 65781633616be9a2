// Every operation that more than one entry point runs (web action, API route,
// CLI command), as the audit log records it: its action name, target and the
// fixed detail keys. Entry points call lib/audited's audited() with these, never
// audit() with their own details, so one operation reads the same in the log
// whoever ran it and how.
import { defineOperation } from '@/lib/audited';
import type { Role } from '@/lib/auth/roles';
import type { PublicUser, Revoked } from '@/lib/auth/users';
import type { PowerAction, PowerResult } from '@/lib/hosts/power';
import type { HostFacts } from '@/lib/hosts/facts';
import type { ImportReport } from '@/lib/hosts/import';
import type { RemovedHost, SaveResult } from '@/lib/hosts/inventory';
import type { ConsoleKind } from '@/lib/console/tickets';

/** The name a host or VM spec gives, for the log (the spec itself is validated by the save). */
function specName(spec: unknown): string | null {
  const name = (spec as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : null;
}

type Named = { id: string; name: string };
type Account = { id: string; username: string };
type TokenRow = { id: string; name: string; role: Role; userId?: string };

export const operations = {
  // ---- hosts and VMs -------------------------------------------------------
  hostSave: defineOperation<{ id?: string; spec: unknown }, SaveResult>({
    action: (input) => (input.id ? 'host.update' : 'host.create'),
    targetType: 'host',
    targetId: (input, result) => input.id ?? (result?.ok ? result.id : undefined),
    details: (input) => ({ name: specName(input.spec) }),
    when: (result) => result.ok,
  }),
  vmSave: defineOperation<{ id?: string; hostId: string; spec: unknown }, SaveResult>({
    action: (input) => (input.id ? 'vm.update' : 'vm.create'),
    targetType: 'vm',
    targetId: (input, result) => input.id ?? (result?.ok ? result.id : undefined),
    details: (input) => ({ name: specName(input.spec), hostId: input.hostId }),
    when: (result) => result.ok,
  }),
  removeHost: defineOperation<{ host: Named }, RemovedHost>({
    action: 'host.remove',
    targetType: 'host',
    targetId: (input) => input.host.id,
    details: (input) => ({ name: input.host.name }),
    result: (removed) => ({ vms: removed.vms }),
  }),
  pinHostKey: defineOperation<{ host: Named & { hostKeyFingerprint: string | null }; fingerprint: string }>({
    action: 'host.pin-key',
    targetType: 'host',
    targetId: (input) => input.host.id,
    details: (input) => ({ name: input.host.name, fingerprint: input.fingerprint, previous: input.host.hostKeyFingerprint }),
  }),
  refreshFacts: defineOperation<{ host: Named }, HostFacts>({
    action: 'host.refresh-facts',
    targetType: 'host',
    targetId: (input) => input.host.id,
    details: (input) => ({ name: input.host.name }),
  }),
  importHost: defineOperation<{ host: Named }, ImportReport>({
    action: 'host.import',
    targetType: 'host',
    targetId: (input) => input.host.id,
    details: (input) => ({ name: input.host.name }),
    result: (report) => ({ imported: report.imported.map((v) => v.name), skipped: report.skipped.map((s) => s.name) }),
  }),
  powerVm: defineOperation<{ vm: Named; power: PowerAction }, PowerResult>({
    action: 'vm.power',
    targetType: 'vm',
    targetId: (input) => input.vm.id,
    details: (input) => ({ name: input.vm.name, power: input.power }),
    result: (result) => ({ state: result.state }),
  }),
  consoleTicket: defineOperation<{ vmId: string; kind: ConsoleKind }>({
    action: 'console.ticket',
    targetType: 'vm',
    targetId: (input) => input.vmId,
    details: (input) => ({ kind: input.kind }),
  }),

  // ---- accounts ------------------------------------------------------------
  createUser: defineOperation<{ username: string; role: Role }, PublicUser>({
    action: 'user.create',
    targetType: 'user',
    targetId: (_input, user) => user?.id,
    details: (input) => ({ username: input.username.toLowerCase(), role: input.role }),
  }),
  setUserRole: defineOperation<{ user: Account; role: Role }>({
    action: 'user.set-role',
    targetType: 'user',
    targetId: (input) => input.user.id,
    details: (input) => ({ username: input.user.username, role: input.role }),
  }),
  setUserDisabled: defineOperation<{ user: Account; disabled: boolean }, { sessionsEnded: number }>({
    action: (input) => (input.disabled ? 'user.disable' : 'user.enable'),
    targetType: 'user',
    targetId: (input) => input.user.id,
    details: (input) => ({ username: input.user.username }),
    result: (result) => ({ sessionsEnded: result.sessionsEnded }),
  }),
  resetPassword: defineOperation<{ user: Account }, Revoked>({
    action: 'user.reset-password',
    targetType: 'user',
    targetId: (input) => input.user.id,
    details: (input) => ({ username: input.user.username }),
    result: (revoked) => ({ sessionsEnded: revoked.sessionsEnded, tokensRevoked: revoked.tokensRevoked }),
  }),
  createToken: defineOperation<{ owner: Account; name: string }, { token: TokenRow }>({
    action: 'token.create',
    targetType: 'token',
    targetId: (_input, result) => result?.token.id,
    details: (input) => ({ name: input.name, owner: input.owner.username }),
    result: (result) => ({ role: result.token.role }),
  }),
  revokeToken: defineOperation<{ tokenId: string }, TokenRow | null>({
    action: 'token.revoke',
    targetType: 'token',
    targetId: (input) => input.tokenId,
    details: () => ({}),
    result: (token) => ({ name: token?.name ?? null, ownerId: token?.userId ?? null }),
  }),
  // ---- changes and deployments --------------------------------------------
  createChange: defineOperation<{ hostId: string; title: string }, { id: string }>({
    action: 'change.create',
    targetType: 'change',
    targetId: (_input, result) => result?.id,
    details: (input) => ({ hostId: input.hostId, title: input.title }),
  }),
  /** propose, approve, reject, replan, comment: one operation, the action in its name. */
  changeAction: defineOperation<{ changeId: string; action: 'propose' | 'approve' | 'reject' | 'replan' | 'comment'; note?: string }>({
    action: (input) => `change.${input.action}`,
    targetType: 'change',
    targetId: (input) => input.changeId,
    details: (input) => ({ note: input.note ?? null }),
  }),
  deployChange: defineOperation<{ changeId: string }, { deploymentId: string }>({
    action: 'change.deploy',
    targetType: 'change',
    targetId: (input) => input.changeId,
    details: () => ({}),
    result: (result) => ({ deploymentId: result.deploymentId }),
  }),
  cancelDeployment: defineOperation<{ deploymentId: string }, { status: string }>({
    action: 'deployment.cancel',
    targetType: 'deployment',
    targetId: (input) => input.deploymentId,
    details: () => ({}),
    result: (result) => ({ status: result.status }),
  }),
  createRollback: defineOperation<{ hostId: string; revisionId: string; urgent: boolean; kind: 'rollback' | 'reapply' }, { id: string }>({
    action: (input) => (input.kind === 'reapply' ? 'host.reapply' : 'host.rollback'),
    targetType: 'host',
    targetId: (input) => input.hostId,
    details: (input) => ({ revisionId: input.revisionId, urgent: input.urgent }),
    result: (result) => ({ changeId: result.id }),
  }),
  adoptLive: defineOperation<{ hostId: string }, { id: string | null }>({
    action: 'host.adopt-live',
    targetType: 'host',
    targetId: (input) => input.hostId,
    details: () => ({}),
    result: (result) => ({ changeId: result.id }),
  }),
};
