// One error model and one audit entry per operation, against a real
// PostgreSQL: the same operation run from the web (server action) and from the
// API (route handler) is audited with the same action, target and detail keys
// (lib/audited + lib/operations), on success and on failure; a DomainError
// comes out of the API as its code's status and JSON, and out of an action as
// its message, or under its field. No lab host: the power action refuses a host
// whose key is not pinned, before any SSH.
// Server actions read the request through next/headers: stood in for with the
// session cookie, as in power.test.ts.
import { describe, expect, it, vi } from 'vitest';

const request = vi.hoisted(() => ({ token: '' }));
vi.mock('next/headers', () => ({
  cookies: async () => ({
    get: (name: string) => (name === 'hostdeck_session' && request.token ? { name, value: request.token } : undefined),
  }),
  headers: async () => new Headers({ 'x-hostdeck-client-ip': '192.0.2.9', 'user-agent': 'vitest' }),
}));
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

import { NextRequest } from 'next/server';
import { useTestDatabase } from '@/tests/helpers/db';
import { getDb } from '@/lib/db';
import { createUser } from '@/lib/auth/users';
import { createSession } from '@/lib/auth/sessions';
import { saveHost, saveVm } from '@/lib/hosts/inventory';
import { DomainError, ERROR_STATUS } from '@/lib/errors';
import { powerVmAction } from '@/lib/actions/power';
import { createTokenAction } from '@/lib/actions/tokens';
import { setRoleAction, setDisabledAction } from '@/lib/actions/users';
import { saveVmAction } from '@/lib/actions/inventory';
import { POST as powerRoute } from '@/app/api/v1/vms/[id]/power/route';
import { POST as createTokenRoute } from '@/app/api/v1/tokens/route';
import { PATCH as updateUserRoute } from '@/app/api/v1/users/[id]/route';
import { PUT as updateVmRoute } from '@/app/api/v1/vms/[id]/route';

useTestDatabase();

const password = 'correct horse battery staple';
let serial = 0;
const unique = (base: string) => `${base}${++serial}`;

async function signedIn(role: 'viewer' | 'operator' | 'approver' | 'admin') {
  const user = await createUser({ username: unique(role), password, role });
  const session = await createSession(user.id, { ip: '192.0.2.9' });
  return { user, session: session.token };
}

function apiRequest(method: string, path: string, session: string, body?: unknown) {
  const headers = new Headers({
    host: 'hostdeck.test',
    'x-hostdeck-client-ip': '192.0.2.10',
    cookie: `hostdeck_session=${session}`,
    origin: 'http://hostdeck.test',
  });
  if (body !== undefined) headers.set('content-type', 'application/json');
  return new NextRequest(`http://hostdeck.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}
const idParams = (id: string) => ({ params: Promise.resolve({ id }) });
const noParams = { params: Promise.resolve({}) };

/** The audit entries of `action` on `targetId` written since `since`, oldest first. */
async function entries(action: string, since: bigint) {
  return getDb().auditEvent.findMany({ where: { action, id: { gt: since } }, orderBy: { id: 'asc' } });
}
async function lastId(): Promise<bigint> {
  return (await getDb().auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;
}
const keysOf = (details: unknown) => Object.keys(details as object).sort();

const hostSpec = {
  name: 'hv-audit',
  address: '192.0.2.20',
  flavour: 'libvirt',
  cpuVendor: 'amd',
  network: { nics: ['eno1'], bridges: [{ name: 'br0', uplink: { kind: 'nic', name: 'eno1' } }] },
  storagePools: [{ name: 'default', path: '/var/lib/libvirt/images' }],
};
const vmSpec = (extra: object = {}) => ({
  name: 'web1',
  vcpus: 1,
  memoryMiB: 512,
  disks: [],
  interfaces: [{ type: 'bridge', bridge: 'br0' }],
  ...extra,
});

describe('one operation, two entry points, one audit shape', () => {
  it('power: a refused action is audited with the same keys from the action and the API, and mapped once by each', async () => {
    const operator = await signedIn('operator');
    const host = await saveHost({ spec: hostSpec }, { role: 'admin' });
    if (!host.ok) throw new Error(JSON.stringify(host.issues));
    const vm = await saveVm({ hostId: host.id, spec: vmSpec() });
    if (!vm.ok) throw new Error(JSON.stringify(vm.issues));

    const since = await lastId();
    request.token = operator.session;
    const viaAction = await powerVmAction({ vmId: vm.id, action: 'start' });
    expect(viaAction.serverError).toMatch(/^Cannot reach hv-audit: /);
    const viaApi = await powerRoute(
      apiRequest('POST', `/api/v1/vms/${vm.id}/power`, operator.session, { action: 'start' }),
      idParams(vm.id),
    );
    expect(viaApi.status).toBe(ERROR_STATUS.conflict);
    const body = await viaApi.json();
    expect(body).toEqual({ error: { code: 'conflict', message: viaAction.serverError } });

    const [web, api] = await entries('vm.power', since);
    expect(web).toMatchObject({
      via: 'web',
      outcome: 'failed',
      targetType: 'vm',
      targetId: vm.id,
      details: { name: 'web1', power: 'start', error: viaAction.serverError },
    });
    expect(api).toMatchObject({
      via: 'api',
      outcome: 'failed',
      targetType: 'vm',
      targetId: vm.id,
      details: { name: 'web1', power: 'start', error: viaAction.serverError },
    });
    expect(keysOf(api!.details)).toEqual(keysOf(web!.details));

    // An unknown VM: not_found from lib, 404 from the API, its message from the action.
    const missing = '00000000-0000-4000-8000-000000000000';
    expect((await powerVmAction({ vmId: missing, action: 'start' })).serverError).toBe('No such VM');
    const notFound = await powerRoute(
      apiRequest('POST', `/api/v1/vms/${missing}/power`, operator.session, { action: 'start' }),
      idParams(missing),
    );
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toEqual({ error: { code: 'not_found', message: 'No such VM' } });
  });

  it('VM save: the same keys from the action and the API', async () => {
    const operator = await signedIn('operator');
    const host = await saveHost({ spec: { ...hostSpec, name: 'hv-save', address: '192.0.2.21' } }, { role: 'admin' });
    if (!host.ok) throw new Error(JSON.stringify(host.issues));
    const vm = await saveVm({ hostId: host.id, spec: vmSpec() });
    if (!vm.ok) throw new Error(JSON.stringify(vm.issues));

    const since = await lastId();
    request.token = operator.session;
    expect((await saveVmAction({ hostId: host.id, id: vm.id, spec: vmSpec({ memoryMiB: 1024 }) })).data).toEqual({
      ok: true,
      id: vm.id,
      changeId: expect.any(String), // the save made the host's open change
    });
    expect(
      (
        await updateVmRoute(
          apiRequest('PUT', `/api/v1/vms/${vm.id}`, operator.session, { spec: vmSpec({ memoryMiB: 2048 }) }),
          idParams(vm.id),
        )
      ).status,
    ).toBe(200);
    const [web, api] = await entries('vm.update', since);
    expect(web).toMatchObject({ via: 'web', outcome: 'ok', details: { name: 'web1', hostId: host.id, via: 'session' } });
    expect(keysOf(api!.details)).toEqual(keysOf(web!.details));
  });

  it('users: set-role and disable audit the same keys from both, ok and failed; a field error lands under its field', async () => {
    const admin = await signedIn('admin');
    const target = await createUser({ username: unique('target'), password, role: 'viewer' });
    request.token = admin.session;

    const since = await lastId();
    expect((await setRoleAction({ userId: target.id, role: 'operator' })).serverError).toBeUndefined();
    expect(
      (await updateUserRoute(apiRequest('PATCH', `/api/v1/users/${target.id}`, admin.session, { role: 'approver' }), idParams(target.id)))
        .status,
    ).toBe(200);
    const [webRole, apiRole] = await entries('user.set-role', since);
    expect(webRole).toMatchObject({ outcome: 'ok', details: { username: target.username, role: 'operator' } });
    expect(keysOf(apiRole!.details)).toEqual(keysOf(webRole!.details));

    // Disabling oneself is a conflict: serverError from the action, 409 with the field from the API, both audited as failed.
    const self = await setDisabledAction({ userId: admin.user.id, disabled: true });
    expect(self.serverError).toBe('You cannot disable yourself');
    const selfApi = await updateUserRoute(
      apiRequest('PATCH', `/api/v1/users/${admin.user.id}`, admin.session, { disabled: true }),
      idParams(admin.user.id),
    );
    expect(selfApi.status).toBe(409);
    expect(await selfApi.json()).toEqual({
      error: { code: 'conflict', message: 'You cannot disable yourself', fields: { disabled: ['You cannot disable yourself'] } },
    });
    const [webFail, apiFail] = await entries('user.disable', since);
    expect(webFail).toMatchObject({ outcome: 'failed', details: { username: admin.user.username, error: 'You cannot disable yourself' } });
    expect(keysOf(apiFail!.details)).toEqual(keysOf(webFail!.details));
  });

  it('tokens: create audits the same keys from both; a duplicate name is a field error in the form and a 409 with fields in the API', async () => {
    const operator = await signedIn('operator');
    request.token = operator.session;
    const since = await lastId();
    expect((await createTokenAction({ name: 'ci', role: 'viewer' })).data).toMatchObject({ name: 'ci', role: 'viewer' });
    expect(
      (await createTokenRoute(apiRequest('POST', '/api/v1/tokens', operator.session, { name: 'deploy', role: 'viewer' }), noParams)).status,
    ).toBe(201);
    const [web, api] = await entries('token.create', since);
    expect(web).toMatchObject({ outcome: 'ok', details: { name: 'ci', owner: operator.user.username, role: 'viewer' } });
    expect(keysOf(api!.details)).toEqual(keysOf(web!.details));

    const again = await createTokenAction({ name: 'ci', role: 'viewer' });
    expect(again.serverError).toBeUndefined();
    expect(again.validationErrors).toEqual({ formErrors: [], fieldErrors: { name: ['You already have a token named "ci"'] } });
    const againApi = await createTokenRoute(
      apiRequest('POST', '/api/v1/tokens', operator.session, { name: 'ci', role: 'viewer' }),
      noParams,
    );
    expect(againApi.status).toBe(409);
    expect((await againApi.json()).error).toEqual({
      code: 'conflict',
      message: 'You already have a token named "ci"',
      fields: { name: ['You already have a token named "ci"'] },
    });
  });
});

describe('DomainError', () => {
  it('carries its code, field and status', () => {
    const error = new DomainError('invalid_input', 'Name is taken', { field: 'name' });
    expect(error).toBeInstanceOf(Error);
    expect({ code: error.code, status: error.status, fields: error.fieldMessages() }).toEqual({
      code: 'invalid_input',
      status: 400,
      fields: { name: ['Name is taken'] },
    });
  });
});
