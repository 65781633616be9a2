// The HTTP API from outside: JSON errors naming the field, the OpenAPI document,
// and nothing half-written after bad input.
import { expect, test } from '@playwright/test';
import { ADMIN, bearer, createTokenViaUi, loginAs } from './helpers';

test('bad input gets 400 naming each field; good input creates; duplicates conflict', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const api = page.request;
  const origin = new URL(page.url()).origin;
  const headers = { Origin: origin };

  const bad = await api.post('/api/v1/users', { headers, data: { username: 'Bad Name!', password: 'short', role: 'king' } });
  expect(bad.status()).toBe(400);
  const body = await bad.json();
  expect(body.error.code).toBe('invalid_input');
  expect(Object.keys(body.error.fields).sort()).toEqual(['password', 'role', 'username']);
  expect(body.error.fields.password).toEqual(['Password must be at least 12 characters']);

  const notJson = await api.fetch('/api/v1/users', {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    data: Buffer.from('{oops'),
  });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error.message).toContain('not valid JSON');

  const users = await (await api.get('/api/v1/users')).json();
  expect(users.users.map((u: { username: string }) => u.username)).not.toContain('bad name!');

  const created = await api.post('/api/v1/users', {
    headers,
    data: { username: 'quentin', password: 'a long enough password', role: 'operator' },
  });
  expect(created.status()).toBe(201);
  const again = await api.post('/api/v1/users', {
    headers,
    data: { username: 'quentin', password: 'a long enough password', role: 'operator' },
  });
  expect(again.status()).toBe(409);
  expect((await again.json()).error.fields.username[0]).toContain('already exists');

  const crossSite = await api.post('/api/v1/users', {
    headers: { Origin: 'http://evil.example' },
    data: { username: 'eve', password: 'a long enough password', role: 'admin' },
  });
  expect(crossSite.status()).toBe(403);
});

test('the OpenAPI document lists every endpoint with its schemas, generated from zod', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const response = await page.request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  const doc = await response.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      '/api/v1/health',
      '/api/v1/me',
      '/api/v1/tokens',
      '/api/v1/tokens/{id}',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/audit',
    ]),
  );
  const createUser = doc.paths['/api/v1/users'].post;
  expect(createUser.requestBody.content['application/json'].schema.properties.password.minLength).toBe(12);
  expect(createUser['x-hostdeck-role']).toBe('admin');
  expect(doc.paths['/api/v1/health'].get.security).toEqual([]);
});

test('hosts and VMs over the API: field paths in errors, identity assigned, viewers read only', async ({ page, request }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const tokenFor = async (name: string, role: string) => bearer(await createTokenViaUi(page, name, role));
  const operator = await tokenFor('api operator', 'operator');
  const viewer = await tokenFor('api viewer', 'viewer');

  const host = {
    name: 'api-host',
    address: 'hv.example.net',
    flavour: 'libvirt',
    cpuVendor: 'intel',
    network: { bridges: [{ name: 'br 0' }] },
  };
  const bad = await request.post('/api/v1/hosts', { headers: operator, data: { spec: host } });
  expect(bad.status()).toBe(400);
  expect(Object.keys((await bad.json()).error.fields)).toEqual(['network.bridges[0].name']);

  const created = await request.post('/api/v1/hosts', {
    headers: operator,
    data: { spec: { ...host, network: { bridges: [{ name: 'br0' }] } } },
  });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  expect((await request.post('/api/v1/hosts', { headers: viewer, data: { spec: host } })).status()).toBe(403);

  const vm = await request.post(`/api/v1/hosts/${id}/vms`, {
    headers: operator,
    data: { spec: { name: 'api-vm', vcpus: 1, memoryMiB: 512, interfaces: [{ type: 'bridge', bridge: 'br0' }] } },
  });
  expect(vm.status()).toBe(201);
  const vmId = (await vm.json()).id;
  const read = (await (await request.get(`/api/v1/vms/${vmId}`, { headers: viewer })).json()).vm;
  expect(read.uuid).toMatch(/^[0-9a-f-]{36}$/);
  expect(read.spec.interfaces[0].mac).toMatch(/^52:54:00:/);

  const config = await (await request.get(`/api/v1/hosts/${id}/configuration`, { headers: viewer })).json();
  expect(config.plan.summary.added).toBe(1);
  expect(config.files.map((f: { path: string }) => f.path)).toEqual(['vms/api-vm.xml']);

  const list = await (await request.get('/api/v1/hosts?q=api-', { headers: viewer })).json();
  expect(list.hosts).toEqual([expect.objectContaining({ name: 'api-host', vmCount: 1, status: 'new' })]);
  expect((await request.get('/api/v1/hosts/not-a-uuid', { headers: viewer })).status()).toBe(400);
  expect((await request.get('/api/v1/hosts/00000000-0000-4000-8000-000000000000', { headers: viewer })).status()).toBe(404);
});

test('host input that would reach a host unreviewed is refused over the API: remote libvirt URIs, disks outside pools', async ({
  page,
  request,
}) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const tokenFor = async (name: string, role: string) => bearer(await createTokenViaUi(page, name, role));
  const operator = await tokenFor('uri operator', 'operator');
  const admin = await tokenFor('uri admin', 'admin');
  const host = {
    name: 'uri-host',
    address: 'hv2.example.net',
    flavour: 'libvirt',
    cpuVendor: 'intel',
    storagePools: [{ name: 'images', path: '/var/lib/libvirt/images' }],
  };
  for (const libvirtUri of [
    'qemu+ext:///system?command=/tmp/x',
    'qemu+ssh://root@elsewhere/system',
    'qemu:///system?socket=/tmp/s',
    'test:///default',
  ]) {
    for (const headers of [operator, admin]) {
      const refused = await request.post('/api/v1/hosts', { headers, data: { spec: { ...host, libvirtUri } } });
      expect(refused.status(), libvirtUri).toBe(400);
      expect(Object.keys((await refused.json()).error.fields)).toEqual(['libvirtUri']);
    }
  }
  const created = await request.post('/api/v1/hosts', { headers: operator, data: { spec: host } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  // Only an admin changes the URI of a stored host, and only to another local one.
  const byOperator = await request.put(`/api/v1/hosts/${id}`, {
    headers: operator,
    data: { spec: { ...host, libvirtUri: 'qemu:///session' } },
  });
  expect(byOperator.status()).toBeGreaterThanOrEqual(400);
  expect(byOperator.status()).toBeLessThan(500);
  expect(JSON.stringify(await byOperator.json())).toContain('libvirtUri');
  expect(
    (await request.put(`/api/v1/hosts/${id}`, { headers: admin, data: { spec: { ...host, libvirtUri: 'qemu:///session' } } })).status(),
  ).toBe(200);
  expect((await (await request.get(`/api/v1/hosts/${id}`, { headers: operator })).json()).host.spec.libvirtUri).toBe('qemu:///session');

  for (const path of ['/etc/shadow', '/var/lib/other/disk.qcow2', '/dev/sda']) {
    const vm = await request.post(`/api/v1/hosts/${id}/vms`, {
      headers: operator,
      data: { spec: { name: 'escape', vcpus: 1, memoryMiB: 256, disks: [{ source: { type: 'file', path }, sizeGiB: 1 }] } },
    });
    expect(vm.status(), path).toBe(400);
    expect(Object.keys((await vm.json()).error.fields), path).toContain('disks[0].source.path');
  }
  const inside = await request.post(`/api/v1/hosts/${id}/vms`, {
    headers: operator,
    data: {
      spec: {
        name: 'inside',
        vcpus: 1,
        memoryMiB: 256,
        disks: [{ source: { type: 'file', path: '/var/lib/libvirt/images/inside.qcow2' }, sizeGiB: 1 }],
      },
    },
  });
  expect(inside.status()).toBe(201);
});
