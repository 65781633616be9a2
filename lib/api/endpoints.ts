// Every endpoint of /api/v1, declared once. Route files under app/api/v1 build
// their handlers from these; lib/api/openapi.ts publishes them.
import { z } from 'zod';
import type { Endpoint } from '@/lib/api/endpoint';
import { POWER_ACTIONS } from '@/lib/hosts/power-rules';
import { pagingQuery, pagingResponse } from '@/lib/api/paging';
import { changeEndpoints } from '@/lib/api/change-endpoints';
import { createTokenInputSchema, createUserInputSchema, passwordSchema, roleSchema } from '@/lib/auth/account-input';

const isoDate = z.iso.datetime();
const idParams = z.object({ id: z.uuid('Not a valid id') });

export const healthSchema = z.object({
  status: z.literal('ok'),
  version: z.string().optional().describe('Only for authenticated callers'),
  database: z.literal('ok'),
});

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  displayName: z.string().nullable(),
  role: roleSchema,
  disabled: z.boolean(),
  lastLoginAt: isoDate.nullable(),
  createdAt: isoDate,
});

export const meSchema = z.object({ user: userSchema, effectiveRole: roleSchema, via: z.enum(['token', 'session']) });

export const tokenSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the token, to recognise it'),
  role: roleSchema.describe('Role ceiling: the token never has more than this, nor more than its user'),
  userId: z.uuid().optional().describe('The owner (in lists)'),
  username: z.string().optional().describe('The owner (in lists)'),
  createdAt: isoDate,
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
});

export const createdTokenSchema = z.object({
  token: tokenSchema,
  secret: z.string().describe('The token itself. Shown once; store it now.'),
});

export const updateUserInputSchema = z
  .object({
    role: roleSchema.optional(),
    password: passwordSchema
      .optional()
      .describe('A new password: ends all their sessions, revokes all their API tokens; they must change it at next login'),
    disabled: z
      .boolean({ error: 'disabled must be true or false' })
      .optional()
      .describe('true: they cannot sign in, and their sessions and tokens stop working at once; false: enabled again'),
  })
  .refine((v) => v.role !== undefined || v.password !== undefined || v.disabled !== undefined, {
    message: 'Give a role, a password or disabled to change',
  });

/** Roles that may be the least role for consoles: viewers never open one (a console is control of the VM). */
export const CONSOLE_MIN_ROLES = ['operator', 'approver', 'admin'] as const;

export const policiesSchema = z.object({
  consoleMinRole: z.enum(CONSOLE_MIN_ROLES).describe('The least role that may open VM consoles (default operator)'),
  fourEyes: z.boolean().describe('Whether a change needs an approver other than its author (default true)'),
});

export const updatePoliciesInputSchema = z
  .object({
    consoleMinRole: z
      .enum(CONSOLE_MIN_ROLES, { error: 'consoleMinRole must be operator, approver or admin: viewers never open consoles' })
      .optional(),
    fourEyes: z.boolean({ error: 'fourEyes must be true or false' }).optional(),
  })
  .refine((v) => v.consoleMinRole !== undefined || v.fourEyes !== undefined, { message: 'Give consoleMinRole or fourEyes to change' });

export const auditQuerySchema = z.object({
  action: z.string().max(64).optional(),
  actor: z.string().max(64).optional(),
  targetType: z.string().max(32).optional(),
  outcome: z.enum(['ok', 'denied', 'failed']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const auditEventSchema = z.object({
  id: z.string(),
  at: isoDate,
  actorName: z.string().nullable(),
  via: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  ip: z.string().nullable(),
  outcome: z.string(),
  details: z.unknown(),
});

const hostSummarySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  address: z.string(),
  port: z.number().int(),
  sshUser: z.string(),
  flavour: z.enum(['nixos', 'libvirt']),
  status: z.enum(['new', 'online', 'unreachable', 'host_key_changed', 'unsafe_config']),
  vmCount: z.number().int(),
});

export const sshKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  publicKey: z.string(),
  fingerprint: z.string().describe('SHA256 fingerprint of the public key'),
  isDefault: z.boolean().describe('The key hosts without a key of their own log in with'),
  authorizedKeysLine: z.string().describe("The line to append to the host user's ~/.ssh/authorized_keys"),
  createdAt: isoDate,
});

const pageQuery = z.object({ q: z.string().max(100).optional(), ...pagingQuery });
const specBody = z.object({
  spec: z.record(z.string(), z.unknown()).describe('A host spec (GET /api/v1/schema/host) or VM spec; see `hostdeck schema`'),
});

export const endpoints = {
  health: {
    id: 'health',
    method: 'GET',
    path: '/api/v1/health',
    tag: 'System',
    summary: 'Liveness and database check (no authentication)',
    auth: 'public',
    response: healthSchema,
  },
  me: {
    id: 'me',
    method: 'GET',
    path: '/api/v1/me',
    tag: 'System',
    summary: 'The caller and its effective role',
    auth: { role: 'viewer' },
    response: meSchema,
  },
  listTokens: {
    id: 'tokens.list',
    method: 'GET',
    path: '/api/v1/tokens',
    tag: 'Tokens',
    summary: "The caller's API tokens (all tokens for admins with ?all=1)",
    auth: { role: 'viewer' },
    query: z.object({ all: z.enum(['0', '1']).optional(), ...pagingQuery }),
    response: z.object({ ...pagingResponse, tokens: z.array(tokenSchema) }),
  },
  createToken: {
    id: 'tokens.create',
    method: 'POST',
    path: '/api/v1/tokens',
    tag: 'Tokens',
    summary: 'Create an API token (web session only: tokens cannot mint tokens)',
    auth: { role: 'viewer', sessionOnly: true },
    body: createTokenInputSchema,
    response: createdTokenSchema,
    status: 201,
  },
  revokeToken: {
    id: 'tokens.revoke',
    method: 'DELETE',
    path: '/api/v1/tokens/{id}',
    tag: 'Tokens',
    summary: 'Revoke one of your tokens (admins: any token)',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({ token: tokenSchema }),
  },
  listUsers: {
    id: 'users.list',
    method: 'GET',
    path: '/api/v1/users',
    tag: 'Users',
    summary: 'All users, by name, 50 a page (pageSize up to 200)',
    auth: { role: 'admin' },
    query: z.object(pagingQuery),
    response: z.object({ ...pagingResponse, users: z.array(userSchema) }),
  },
  createUser: {
    id: 'users.create',
    method: 'POST',
    path: '/api/v1/users',
    tag: 'Users',
    summary: 'Create a user (they must change the password at first login)',
    auth: { role: 'admin' },
    body: createUserInputSchema,
    response: z.object({ user: userSchema }),
    status: 201,
  },
  updateUser: {
    id: 'users.update',
    method: 'PATCH',
    path: '/api/v1/users/{id}',
    tag: 'Users',
    summary:
      "Change a user's role, reset their password, or disable/enable them (not yourself, nor the last enabled admin). API tokens may, never granting above their own role; audited with the token id",
    auth: { role: 'admin' },
    params: idParams,
    body: updateUserInputSchema,
    response: z.object({ user: userSchema }),
  },
  listAudit: {
    id: 'audit.list',
    method: 'GET',
    path: '/api/v1/audit',
    tag: 'Audit',
    summary: 'Audit events, newest first, 50 a page',
    auth: { role: 'approver' },
    query: auditQuerySchema,
    response: z.object({ ...pagingResponse, events: z.array(auditEventSchema) }),
  },
  listHosts: {
    id: 'hosts.list',
    method: 'GET',
    path: '/api/v1/hosts',
    tag: 'Hosts',
    summary: 'Hosts, searched by name or address, 50 a page (pageSize up to 200)',
    auth: { role: 'viewer' },
    query: pageQuery,
    response: z.object({ ...pagingResponse, hosts: z.array(hostSummarySchema) }),
  },
  createHost: {
    id: 'hosts.create',
    method: 'POST',
    path: '/api/v1/hosts',
    tag: 'Hosts',
    summary: 'Add a host from its spec',
    auth: { role: 'operator' },
    body: specBody,
    response: z.object({ id: z.uuid() }),
    status: 201,
  },
  getHost: {
    id: 'hosts.get',
    method: 'GET',
    path: '/api/v1/hosts/{id}',
    tag: 'Hosts',
    summary: 'A host: spec, status, pinned key, facts',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({
      host: hostSummarySchema.extend({
        spec: z.unknown(),
        hostKeyFingerprint: z.string().nullable(),
        statusReason: z.string().nullable(),
        facts: z.unknown(),
        lastSeenAt: isoDate.nullable(),
      }),
    }),
  },
  updateHost: {
    id: 'hosts.update',
    method: 'PUT',
    path: '/api/v1/hosts/{id}',
    tag: 'Hosts',
    summary: "Replace a host's spec (validated with its VMs)",
    auth: { role: 'operator' },
    params: idParams,
    body: specBody,
    response: z.object({ id: z.uuid() }),
  },
  removeHost: {
    id: 'hosts.remove',
    method: 'DELETE',
    path: '/api/v1/hosts/{id}',
    tag: 'Hosts',
    summary:
      'Take a host out of the inventory with its VMs, revisions, changes and deployments. Nothing is sent to the host: its domains keep running (and can be imported again). Refused (409) while a deployment of it runs',
    auth: { role: 'admin' },
    params: idParams,
    response: z.object({
      id: z.uuid(),
      name: z.string(),
      vms: z.number().int().describe('VMs Hostdeck no longer manages; they keep running on the host'),
    }),
  },
  listSshKeys: {
    id: 'ssh-keys.list',
    method: 'GET',
    path: '/api/v1/ssh-keys',
    tag: 'Hosts',
    summary:
      "Hostdeck's SSH client keys with their authorized_keys line, the default key first (generated if there is none yet): add the line on a host, then read and pin its host key",
    auth: { role: 'operator' },
    response: z.object({ keys: z.array(sshKeySchema) }),
  },
  listHostVms: {
    id: 'hosts.vms',
    method: 'GET',
    path: '/api/v1/hosts/{id}/vms',
    tag: 'VMs',
    summary: "A host's VMs, 50 a page (pageSize up to 200)",
    auth: { role: 'viewer' },
    params: idParams,
    query: pageQuery,
    response: z.object({ ...pagingResponse, vms: z.array(z.unknown()) }),
  },
  createVm: {
    id: 'vms.create',
    method: 'POST',
    path: '/api/v1/hosts/{id}/vms',
    tag: 'VMs',
    summary: 'Define a VM on a host (UUID and MACs assigned once)',
    auth: { role: 'operator' },
    params: idParams,
    body: specBody,
    response: z.object({ id: z.uuid() }),
    status: 201,
  },
  hostConfiguration: {
    id: 'hosts.configuration',
    method: 'GET',
    path: '/api/v1/hosts/{id}/configuration',
    tag: 'Hosts',
    summary: 'Rendered files, the deployed revision and the plan between them',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.unknown(),
  },
  getVm: {
    id: 'vms.get',
    method: 'GET',
    path: '/api/v1/vms/{id}',
    tag: 'VMs',
    summary: 'A VM: spec and live state',
    auth: { role: 'viewer' },
    params: idParams,
    response: z.object({ vm: z.unknown() }),
  },
  updateVm: {
    id: 'vms.update',
    method: 'PUT',
    path: '/api/v1/vms/{id}',
    tag: 'VMs',
    summary: "Replace a VM's spec (its UUID and MACs are kept)",
    auth: { role: 'operator' },
    params: idParams,
    body: specBody,
    response: z.object({ id: z.uuid() }),
  },
  probeHostKey: {
    id: 'hosts.host-key.read',
    method: 'GET',
    path: '/api/v1/hosts/{id}/host-key',
    tag: 'Hosts',
    summary: 'The SSH host key the host offers now (no login), to compare before pinning',
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({ fingerprint: z.string(), keyType: z.string(), publicKeyOpenSsh: z.string() }),
  },
  pinHostKey: {
    id: 'hosts.host-key.pin',
    method: 'POST',
    path: '/api/v1/hosts/{id}/host-key',
    tag: 'Hosts',
    summary: 'Pin the fingerprint you compared (re-pinning a changed key: admin), then read facts',
    auth: { role: 'operator' },
    params: idParams,
    body: z.object({ fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'Not an SSH SHA256 fingerprint') }),
    response: z.object({ pinned: z.literal(true), factsError: z.string().nullable() }),
  },
  refreshFacts: {
    id: 'hosts.facts',
    method: 'POST',
    path: '/api/v1/hosts/{id}/facts',
    tag: 'Hosts',
    summary: "Read the host's facts again over SSH",
    auth: { role: 'operator' },
    params: idParams,
    response: z.object({ facts: z.unknown() }),
  },
  importHost: {
    id: 'hosts.import',
    method: 'POST',
    path: '/api/v1/hosts/{id}/import',
    tag: 'Hosts',
    summary: "Import the host's existing domains as VMs (UUIDs and MACs kept; what the spec cannot express is listed)",
    auth: { role: 'operator' },
    params: idParams,
    response: z.unknown(),
  },
  powerVm: {
    id: 'vms.power',
    method: 'POST',
    path: '/api/v1/vms/{id}/power',
    tag: 'VMs',
    summary: 'Start, shut down (ACPI), reboot, force off, suspend or resume a VM',
    auth: { role: 'operator' },
    params: idParams,
    body: z.object({ action: z.enum(POWER_ACTIONS) }),
    response: z.unknown(),
  },
  consoleTicket: {
    id: 'vms.console-ticket',
    method: 'POST',
    path: '/api/v1/vms/{id}/console-ticket',
    tag: 'VMs',
    summary:
      "A one-time ticket for the VM's VNC, SPICE or serial console: valid 30 s, for this user, VM and console type, admitting one console session's sockets (SPICE: four within a second). Open the WebSocket at `url` on this server. Operators and up (an admin setting)",
    auth: { role: 'operator' },
    params: idParams,
    body: z.object({ type: z.enum(['vnc', 'spice', 'serial'], 'type must be vnc, spice or serial') }),
    response: z.object({
      ticket: z.string(),
      url: z.string().describe('WebSocket path, e.g. /console?type=vnc&vm=…&ticket=…'),
      expiresAt: isoDate,
      sockets: z.number().int().describe('WebSockets the ticket admits'),
    }),
  },
  getSettings: {
    id: 'settings.get',
    method: 'GET',
    path: '/api/v1/settings',
    tag: 'Settings',
    summary: 'The installation-wide policies: the least role that may open consoles, and four-eyes approval of changes',
    auth: { role: 'viewer' },
    response: policiesSchema,
  },
  updateSettings: {
    id: 'settings.update',
    method: 'PATCH',
    path: '/api/v1/settings',
    tag: 'Settings',
    summary:
      'Change the policies (admin): the least role that may open consoles (operator, approver or admin; viewers never), and whether a change needs an approver other than its author. Fields left out stay as they are; audited',
    auth: { role: 'admin' },
    body: updatePoliciesInputSchema,
    response: policiesSchema,
  },
  ...changeEndpoints,
} as const satisfies Record<string, Endpoint>;
