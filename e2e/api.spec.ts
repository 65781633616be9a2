// The HTTP API from outside: JSON errors naming the field, the OpenAPI document,
// and nothing half-written after bad input.
import { expect, test } from '@playwright/test';
import { ADMIN, loginAs } from './helpers';

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

  const notJson = await api.fetch('/api/v1/users', { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, data: Buffer.from('{oops') });
  expect(notJson.status()).toBe(400);
  expect((await notJson.json()).error.message).toContain('not valid JSON');

  const users = await (await api.get('/api/v1/users')).json();
  expect(users.users.map((u: { username: string }) => u.username)).not.toContain('bad name!');

  const created = await api.post('/api/v1/users', { headers, data: { username: 'quentin', password: 'a long enough password', role: 'operator' } });
  expect(created.status()).toBe(201);
  const again = await api.post('/api/v1/users', { headers, data: { username: 'quentin', password: 'a long enough password', role: 'operator' } });
  expect(again.status()).toBe(409);
  expect((await again.json()).error.fields.username[0]).toContain('already exists');

  const crossSite = await api.post('/api/v1/users', { headers: { Origin: 'http://evil.example' }, data: { username: 'eve', password: 'a long enough password', role: 'admin' } });
  expect(crossSite.status()).toBe(403);
});

test('the OpenAPI document lists every endpoint with its schemas, generated from zod', async ({ page }) => {
  await loginAs(page, ADMIN.username, ADMIN.password);
  const response = await page.request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  const doc = await response.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/health', '/api/v1/me', '/api/v1/tokens', '/api/v1/tokens/{id}', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/audit']));
  const createUser = doc.paths['/api/v1/users'].post;
  expect(createUser.requestBody.content['application/json'].schema.properties.password.minLength).toBe(12);
  expect(createUser['x-hostdeck-role']).toBe('admin');
  expect(doc.paths['/api/v1/health'].get.security).toEqual([]);
});
