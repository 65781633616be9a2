// Every page and every API route, found by walking app/ (not a hand-written list):
// without a session or token, pages redirect to /login and API routes answer 401 JSON.
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';

const APP = path.join(process.cwd(), 'app');
const PUBLIC_PAGES = new Set(['/login', '/setup']);
const PUBLIC_API = new Set(['GET /api/v1/health']);
const SAMPLE_ID = '00000000-0000-4000-8000-000000000000';

function walk(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function urlOf(file: string): string {
  const segments = path.relative(APP, path.dirname(file)).split(path.sep).filter(Boolean);
  const parts = segments
    .filter((s) => !(s.startsWith('(') && s.endsWith(')')))
    .map((s) => (s.startsWith('[...') || s.startsWith('[[...') ? 'some/nested/path' : s.startsWith('[') ? SAMPLE_ID : s));
  return `/${parts.join('/')}`;
}

function methodsOf(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const found = new Set<string>();
  for (const m of source.matchAll(/export\s+(?:const|async function|function)\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) found.add(m[1]!);
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g))
    for (const n of m[1]!.matchAll(/\bas\s+(GET|POST|PUT|PATCH|DELETE)\b/g)) found.add(n[1]!);
  return [...found];
}

const files = walk(APP);
const pages = files
  .filter((f) => /\/page\.tsx?$/.test(f))
  .map(urlOf)
  .sort();
const apiRoutes = files.filter((f) => /\/route\.ts$/.test(f)).flatMap((f) => methodsOf(f).map((method) => ({ method, url: urlOf(f) })));

test('the app tree has the pages and API routes we expect to guard', () => {
  expect(pages).toEqual(
    expect.arrayContaining(['/', '/hosts', '/vms', '/changes', '/deployments', '/audit', '/settings', '/login', '/setup']),
  );
  expect(apiRoutes.map((r) => `${r.method} ${r.url}`)).toEqual(
    expect.arrayContaining(['GET /api/v1/health', 'GET /api/v1/me', 'POST /api/v1/tokens']),
  );
  expect(apiRoutes.length).toBeGreaterThanOrEqual(10);
});

test('without credentials every page but login and setup redirects to login', async ({ request }) => {
  for (const url of pages.filter((p) => !PUBLIC_PAGES.has(p))) {
    const response = await request.get(url, { maxRedirects: 0 });
    expect(response.status(), url).toBe(307);
    expect(new URL(response.headers().location!, 'http://x').pathname, url).toBe('/login');
  }
});

test('without credentials every API route but health answers 401 JSON', async ({ request }) => {
  for (const { method, url } of apiRoutes) {
    const key = `${method} ${url}`;
    const response = await request.fetch(url, { method, data: method === 'GET' || method === 'DELETE' ? undefined : {}, maxRedirects: 0 });
    if (PUBLIC_API.has(key)) {
      expect(response.status(), key).toBe(200);
      continue;
    }
    expect(response.status(), key).toBe(401);
    expect(response.headers()['content-type'], key).toContain('application/json');
    expect((await response.json()).error.code, key).toBe('unauthenticated');
  }
});

test('a made-up bearer token is refused like no credentials', async ({ request }) => {
  const response = await request.get('/api/v1/me', { headers: { Authorization: 'Bearer hdk_made-up' } });
  expect(response.status()).toBe(401);
});
